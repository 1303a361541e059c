"""Loading and saving incidents, and the read models incidents keeps of the organisation."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import Table, func, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import (
    assignments,
    communities,
    departments,
    grid_nodes,
    incidents,
    timeline,
)
from incidents.domain.model import (
    Assignment,
    AssignmentStatus,
    Incident,
    IncidentStatus,
    TimelineEntry,
)
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
                .order_by(assignments.c.lead.desc(), assignments.c.department_code)
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

    async def by_assignment(self, assignment_id: UUID) -> Incident | None:
        incident_id = await self.session.scalar(
            select(assignments.c.incident_id).where(assignments.c.id == assignment_id)
        )
        return await self.get(incident_id, for_update=True) if incident_id else None

    async def list(
        self, community_code: str | None, status: str | None, limit: int, visible_to: Principal
    ) -> list[Incident]:
        query = select(incidents).order_by(incidents.c.reported_at.desc()).limit(limit)
        query = query.where(_visible(visible_to))
        if community_code:
            query = query.where(incidents.c.community_code == community_code)
        if status:
            query = query.where(incidents.c.status == status)
        return [_incident(row) for row in await self.session.execute(query)]

    async def save(self, incident: Incident, trace_id: str | None) -> None:
        """Insert or update the incident, its assignments, and the timeline lines it added."""
        values = {
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
        }
        await self.session.execute(
            insert(incidents)
            .values(id=incident.id, **values)
            .on_conflict_do_update(
                index_elements=[incidents.c.id], set_={"status": values["status"]}
            )
        )
        for a in incident.assignments:
            row = {
                "status": a.status.value,
                "acknowledged_at": a.acknowledged_at,
                "resolved_at": a.resolved_at,
                "result": a.result,
            }
            await self.session.execute(
                insert(assignments)
                .values(
                    id=a.id,
                    incident_id=incident.id,
                    department_code=a.department_code,
                    lead=a.lead,
                    dispatched_at=a.dispatched_at,
                    **row,
                )
                .on_conflict_do_update(index_elements=[assignments.c.id], set_=row)
            )
        stored = self._stored_lines.get(incident.id, 0)
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


class OrganisationReadModel:
    """Communities, departments and grid nodes as the ORG stream told us.

    Each event carries its aggregate's whole state and version: a row is replaced only by a newer
    version, so redeliveries, out-of-order retries and a replay from the stream's start all leave
    the same rows.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    TABLES: ClassVar[dict[str, Table]] = {
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


def _visible(principal: Principal):
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
    return incidents.c.community_code.in_(sorted(principal.scope.communities))


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
    )


def _assignment(row) -> Assignment:
    return Assignment(
        id=row.id,
        department_code=row.department_code,
        lead=row.lead,
        status=AssignmentStatus(row.status),
        dispatched_at=row.dispatched_at,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        result=row.result,
    )
