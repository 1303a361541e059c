"""Loading and saving incidents, and the read models incidents keeps of the organisation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Table, delete, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import (
    alliances,
    assignments,
    communities,
    departments,
    grid_nodes,
    incidents,
    routing_rules,
    service_levels,
    timeline,
    timers,
)
from incidents.domain.deadlines import DeadlineKind, Rung, Timer
from incidents.domain.model import (
    ANONYMOUS,
    Assignment,
    AssignmentStatus,
    Breach,
    Feedback,
    Incident,
    IncidentStatus,
    Rating,
    ReporterKind,
    TimelineEntry,
)
from incidents.domain.routing import RoutingRule, RoutingTable, ServiceLevel
from lianxin.auth import Principal, Role


class IncidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # How many timeline lines each loaded incident already had stored.
        self._stored_lines: dict[UUID, int] = {}

    async def get(self, incident_id: UUID, *, for_update: bool = False) -> Incident | None:
        query = select(incidents).where(incidents.c.id == incident_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            return None
        incident = _incident(row)
        incident.assignments = [
            _assignment(a)
            for a in await self.session.execute(
                select(assignments)
                .where(assignments.c.incident_id == incident_id)
                .order_by(assignments.c.dispatched_at, assignments.c.lead.desc())
            )
        ]
        incident.timeline = [
            TimelineEntry(t.at, t.action, t.actor, t.detail)
            for t in await self.session.execute(
                select(timeline)
                .where(timeline.c.incident_id == incident_id)
                .order_by(timeline.c.seq)
            )
        ]
        self._stored_lines[incident.id] = len(incident.timeline)
        return incident

    async def timeline_trace_ids(self, incident_id: UUID) -> list[str | None]:
        """The trace id of each timeline line, in order: the hop-by-hop view links to them."""
        rows = await self.session.execute(
            select(timeline.c.trace_id)
            .where(timeline.c.incident_id == incident_id)
            .order_by(timeline.c.seq)
        )
        return [r.trace_id for r in rows]

    async def by_assignment(self, assignment_id: UUID) -> Incident | None:
        incident_id = await self.session.scalar(
            select(assignments.c.incident_id).where(assignments.c.id == assignment_id)
        )
        return await self.get(incident_id, for_update=True) if incident_id else None

    async def list(
        self,
        community_code: str | None,
        status: str | None,
        limit: int,
        visible_to: Principal,
        *,
        overdue_at: datetime | None = None,
    ) -> list[Incident]:
        query = select(incidents).order_by(incidents.c.reported_at.desc()).limit(limit)
        query = query.where(visible_to_sql(visible_to))
        if community_code:
            query = query.where(incidents.c.community_code == community_code)
        if status:
            query = query.where(incidents.c.status == status)
        if overdue_at is not None:
            query = query.where(incidents.c.id.in_(_overdue_incidents(overdue_at)))
        found = [_incident(row) for row in await self.session.execute(query)]
        await self._attach_assignments(found)
        return found

    async def recent_in_community(
        self, community_code: str, category: str, since: datetime
    ) -> list[Incident]:
        """Candidates for duplicates: the community's reports of this category since `since`."""
        rows = await self.session.execute(
            select(incidents).where(
                incidents.c.community_code == community_code,
                incidents.c.category == category,
                incidents.c.reported_at >= since,
            )
        )
        return [_incident(row) for row in rows]

    async def _attach_assignments(self, found: list[Incident]) -> None:
        by_id = {i.id: i for i in found}
        if not by_id:
            return
        rows = await self.session.execute(
            select(assignments)
            .where(assignments.c.incident_id.in_(by_id))
            .order_by(assignments.c.dispatched_at, assignments.c.lead.desc())
        )
        for row in rows:
            by_id[row.incident_id].assignments.append(_assignment(row))

    async def save(self, incident: Incident, trace_id: str | None) -> None:
        """Insert or update the incident, its assignments, the timeline lines it added, and the
        timer rows of its open deadlines."""
        values = _incident_values(incident)
        statement = insert(incidents).values(id=incident.id, **values)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=[incidents.c.id], set_=values)
        )
        if incident.assignments:
            rows = [
                {"id": a.id, "incident_id": incident.id, **_assignment_values(a)}
                for a in incident.assignments
            ]
            statement = insert(assignments).values(rows)
            changed = {column: statement.excluded[column] for column in rows[0] if column != "id"}
            await self.session.execute(
                statement.on_conflict_do_update(index_elements=[assignments.c.id], set_=changed)
            )
        await self._save_timeline(incident, trace_id)
        await self._save_timers(incident)

    async def _save_timeline(self, incident: Incident, trace_id: str | None) -> None:
        stored = self._stored_lines.get(incident.id, 0)
        if stored and incident.reporter == ANONYMOUS:
            # Anonymising rewrites who reported it in the lines already stored, too.
            await self.session.execute(
                timeline.update()
                .where(timeline.c.incident_id == incident.id, timeline.c.action == "reported")
                .values(actor=ANONYMOUS)
            )
        new_lines = incident.timeline[stored:]
        if new_lines:
            await self.session.execute(
                timeline.insert(),
                [
                    {
                        "incident_id": incident.id,
                        "seq": stored + i,
                        "at": line.at,
                        "action": line.action,
                        "actor": line.actor,
                        "detail": line.detail,
                        "trace_id": trace_id,
                    }
                    for i, line in enumerate(new_lines)
                ],
            )
        self._stored_lines[incident.id] = len(incident.timeline)

    async def _save_timers(self, incident: Incident) -> None:
        rows = [
            {
                "assignment_id": t.assignment_id,
                "kind": t.kind.value,
                "due_at": t.due_at,
                "rung": int(t.rung),
                "incident_id": incident.id,
            }
            for t in incident.timers()
            if int(t.rung) > _rung_reached(incident, t)
        ]
        if rows:
            await self.session.execute(insert(timers).values(rows).on_conflict_do_nothing())

    async def claim_due_timers(self, now: datetime, limit: int = 50) -> list[Any]:
        """Take the due timer rows no other replica holds; deleted when this transaction commits."""
        rows = await self.session.execute(
            select(timers)
            .where(timers.c.due_at <= now)
            .order_by(timers.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = list(rows)
        for row in claimed:
            await self.session.execute(
                delete(timers).where(
                    timers.c.assignment_id == row.assignment_id,
                    timers.c.kind == row.kind,
                    timers.c.due_at == row.due_at,
                    timers.c.rung == row.rung,
                )
            )
        return claimed

    async def next_timer_due(self) -> datetime | None:
        return await self.session.scalar(select(func.min(timers.c.due_at)))


def _rung_reached(incident: Incident, timer: Timer) -> int:
    assignment = next(a for a in incident.assignments if a.id == timer.assignment_id)
    deadline = assignment.deadline(timer.kind)
    return assignment.rung_reached(deadline) if deadline else 0


def _overdue_incidents(now: datetime):
    """Incidents with an assignment still held past one of its deadlines."""
    held = ("dispatched", "acknowledged", "in_progress")
    return select(assignments.c.incident_id).where(
        assignments.c.status.in_(held),
        or_(
            (assignments.c.status == "dispatched") & (assignments.c.acknowledge_by < now),
            assignments.c.resolve_by < now,
        ),
    )


class OrganisationReadModel:
    """Communities, departments and grid nodes as the ORG stream told us.

    Each event carries its aggregate's whole state and version: a row is replaced only by a newer
    version, so redeliveries, out-of-order retries and a replay from the stream's start all leave
    the same rows.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    TABLES: ClassVar[dict[str, Table]] = {
        "alliance": alliances,
        "community": communities,
        "department": departments,
        "grid_node": grid_nodes,
    }

    async def apply(self, aggregate: str, state: dict[str, Any]) -> None:
        """Upsert the aggregate's state unless the row already has this version or a newer one."""
        table = self.TABLES[aggregate]
        row = {c.name: state[c.name] for c in table.c}
        statement = insert(table).values(**row)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.code],
                set_={name: statement.excluded[name] for name in row if name != "code"},
                where=table.c.version < statement.excluded.version,
            )
        )

    async def alliance_of(self, community_code: str) -> str | None:
        return await self.session.scalar(
            select(alliances.c.code)
            .where(
                alliances.c.community_codes.contains([community_code]),
                alliances.c.retired_at.is_(None),
            )
            .order_by(alliances.c.code)
            .limit(1)
        )

    async def alliance_partners(self, community_code: str) -> list:
        """The live communities that share a live alliance with this one (not itself): those
        its incidents may be shared with for joint handling."""
        alliance_codes = (
            select(alliances.c.community_codes)
            .where(
                alliances.c.community_codes.contains([community_code]),
                alliances.c.retired_at.is_(None),
            )
            .subquery()
        )
        partner_codes = select(func.unnest(alliance_codes.c.community_codes))
        query = (
            select(communities.c.code, communities.c.name)
            .where(
                communities.c.code.in_(partner_codes),
                communities.c.code != community_code,
                communities.c.retired_at.is_(None),
            )
            .order_by(communities.c.code)
        )
        return list(await self.session.execute(query))

    async def community(self, code: str):
        return (
            await self.session.execute(select(communities).where(communities.c.code == code))
        ).first()

    async def grid_node(self, code: str):
        return (
            await self.session.execute(select(grid_nodes).where(grid_nodes.c.code == code))
        ).first()

    async def grid_nodes(self, community_code: str | None, include_retired: bool = False) -> list:
        query = select(grid_nodes).order_by(grid_nodes.c.path)
        if community_code:
            query = query.where(grid_nodes.c.community_code == community_code)
        if not include_retired:
            query = query.where(grid_nodes.c.retired_at.is_(None))
        return list(await self.session.execute(query))

    async def known_departments(self, codes: list[str]) -> set[str]:
        """The codes of departments one may whistle to: known, not retired."""
        rows = await self.session.execute(
            select(departments.c.code).where(
                departments.c.code.in_(codes), departments.c.retired_at.is_(None)
            )
        )
        return {r.code for r in rows}

    async def departments(self, include_retired: bool = False) -> list:
        query = select(departments).order_by(departments.c.code)
        if not include_retired:
            query = query.where(departments.c.retired_at.is_(None))
        return list(await self.session.execute(query))

    async def counts(self) -> tuple[int, int]:
        return (
            await self.session.scalar(select(func.count()).select_from(departments)),
            await self.session.scalar(select(func.count()).select_from(grid_nodes)),
        )


class RoutingRepository:
    """An alliance's routing rules and service levels; what it never set are the defaults."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def table(self, alliance_code: str) -> RoutingTable:
        table = RoutingTable(alliance_code)
        for r in await self.session.execute(
            select(routing_rules).where(routing_rules.c.alliance_code == alliance_code)
        ):
            table.add(RoutingRule(r.category, r.area, tuple(r.department_codes)))
        for level in await self.session.execute(
            select(service_levels).where(service_levels.c.alliance_code == alliance_code)
        ):
            table.set_service_level(
                level.urgency,
                ServiceLevel(
                    timedelta(seconds=level.acknowledge_within),
                    timedelta(seconds=level.resolve_within),
                ),
            )
        return table

    async def save(self, table: RoutingTable) -> None:
        """Replace the alliance's stored table with this one."""
        code = table.alliance_code
        await self.session.execute(
            delete(routing_rules).where(routing_rules.c.alliance_code == code)
        )
        await self.session.execute(
            delete(service_levels).where(service_levels.c.alliance_code == code)
        )
        if table.rules:
            await self.session.execute(
                insert(routing_rules),
                [
                    {
                        "alliance_code": code,
                        "category": rule.category,
                        "area": rule.area,
                        "department_codes": list(rule.department_codes),
                    }
                    for rule in table.rules.values()
                ],
            )
        await self.session.execute(
            insert(service_levels),
            [
                {
                    "alliance_code": code,
                    "urgency": urgency,
                    "acknowledge_within": int(level.acknowledge_within.total_seconds()),
                    "resolve_within": int(level.resolve_within.total_seconds()),
                }
                for urgency, level in table.service_levels.items()
            ],
        )


def visible_to_sql(principal: Principal):
    """The same rule as `handlers.sees`, as SQL."""
    if principal.is_platform:
        return true()
    if principal.role is Role.DEPARTMENT_OPERATOR:
        own = select(assignments.c.incident_id).where(
            assignments.c.department_code == principal.scope.department
        )
        return incidents.c.id.in_(own)
    if principal.scope.grid_nodes:
        return incidents.c.grid_path.overlap(sorted(principal.scope.grid_nodes))
    communities_seen = sorted(principal.scope.communities)
    return or_(
        incidents.c.community_code.in_(communities_seen),
        incidents.c.shared_with.overlap(communities_seen),
    )


def _incident(row) -> Incident:
    return Incident(
        id=row.id,
        community_code=row.community_code,
        micro_grid_code=row.micro_grid_code,
        grid_path=list(row.grid_path),
        category=row.category,
        urgency=row.urgency,
        description=row.description,
        affected_households=row.affected_households,
        reported_at=row.reported_at,
        status=IncidentStatus(row.status),
        traceparent=row.traceparent,
        affected_merchants=row.affected_merchants,
        photos=list(row.photos),
        reporter=row.reporter,
        reporter_kind=ReporterKind(row.reporter_kind) if row.reporter_kind else None,
        reporter_contact=row.reporter_contact,
        contact_consent=row.contact_consent,
        resolved_locally=row.resolved_locally,
        local_result=row.local_result,
        resolved_at=row.resolved_at,
        verified_at=row.verified_at,
        closed_at=row.closed_at,
        status_reason=row.status_reason,
        shared_with=set(row.shared_with),
        merged_into=row.merged_into,
        merged_ids=list(row.merged_ids),
        feedback=[
            Feedback(Rating(f["rating"]), f["comment"], f["actor"], datetime.fromisoformat(f["at"]))
            for f in row.feedback
        ],
    )


def _incident_values(incident: Incident) -> dict[str, Any]:
    return {
        "community_code": incident.community_code,
        "micro_grid_code": incident.micro_grid_code,
        "grid_path": incident.grid_path,
        "category": incident.category,
        "urgency": incident.urgency,
        "description": incident.description,
        "affected_households": incident.affected_households,
        "status": incident.status.value,
        "reported_at": incident.reported_at,
        "traceparent": incident.traceparent,
        "affected_merchants": incident.affected_merchants,
        "photos": incident.photos,
        "reporter": incident.reporter,
        "reporter_kind": incident.reporter_kind.value if incident.reporter_kind else None,
        "reporter_contact": incident.reporter_contact,
        "contact_consent": incident.contact_consent,
        "resolved_locally": incident.resolved_locally,
        "local_result": incident.local_result,
        "resolved_at": incident.resolved_at,
        "verified_at": incident.verified_at,
        "closed_at": incident.closed_at,
        "status_reason": incident.status_reason,
        "shared_with": sorted(incident.shared_with),
        "merged_into": incident.merged_into,
        "merged_ids": incident.merged_ids,
        "feedback": [
            {
                "rating": f.rating.value,
                "comment": f.comment,
                "actor": f.actor,
                "at": f.at.isoformat(),
            }
            for f in incident.feedback
        ],
    }


def _assignment(row) -> Assignment:
    level = (
        ServiceLevel(
            timedelta(seconds=row.acknowledge_within), timedelta(seconds=row.resolve_within)
        )
        if row.acknowledge_within is not None
        else None
    )
    return Assignment(
        id=row.id,
        department_code=row.department_code,
        lead=row.lead,
        status=AssignmentStatus(row.status),
        dispatched_at=row.dispatched_at,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        result=row.result,
        service_level=level,
        acknowledge_by=row.acknowledge_by,
        resolve_by=row.resolve_by,
        started_at=row.started_at,
        returned_at=row.returned_at,
        return_reason=row.return_reason,
        rerouted_to=row.rerouted_to,
        breaches=[
            Breach(
                DeadlineKind(b["kind"]),
                datetime.fromisoformat(b["due_at"]),
                Rung(b["rung"]),
                datetime.fromisoformat(b["at"]),
            )
            for b in row.breaches
        ],
    )


def _assignment_values(a: Assignment) -> dict[str, Any]:
    level = a.service_level
    return {
        "department_code": a.department_code,
        "lead": a.lead,
        "dispatched_at": a.dispatched_at,
        "status": a.status.value,
        "acknowledged_at": a.acknowledged_at,
        "resolved_at": a.resolved_at,
        "result": a.result,
        "acknowledge_within": int(level.acknowledge_within.total_seconds()) if level else None,
        "resolve_within": int(level.resolve_within.total_seconds()) if level else None,
        "acknowledge_by": a.acknowledge_by,
        "resolve_by": a.resolve_by,
        "started_at": a.started_at,
        "returned_at": a.returned_at,
        "return_reason": a.return_reason,
        "rerouted_to": a.rerouted_to,
        "breaches": [
            {
                "kind": b.kind.value,
                "due_at": b.due_at.isoformat(),
                "rung": int(b.rung),
                "at": b.at.isoformat(),
            }
            for b in a.breaches
        ],
    }
