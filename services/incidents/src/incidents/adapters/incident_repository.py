"""Loading and saving incidents: the incident row, its assignments, its timeline lines, and the
timer rows of its open deadlines. One upsert per table per save."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    DateTime,
    Table,
    Uuid,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.assignment_rows import ASSIGNMENT, ASSIGNMENT_ORDER
from incidents.adapters.orm import assignments, inbox, incidents, timeline, timers
from incidents.adapters.rows import RowMapping
from incidents.domain.deadlines import Timer
from incidents.domain.incident import Incident
from incidents.domain.values import (
    ANONYMOUS,
    Feedback,
    IncidentStatus,
    Rating,
    ReporterKind,
    TimelineEntry,
)
from lianxin.auth import Principal, Role
from lianxin.persistence.tables import inbox_mark
from lianxin.persistence.writes import TableWrite, Writes

INCIDENT = RowMapping(
    Incident,
    incidents,
    dump={
        "status": lambda i: i.status.value,
        "reporter_kind": lambda i: i.reporter_kind.value if i.reporter_kind else None,
        "shared_with": lambda i: sorted(i.shared_with),
        "feedback": lambda i: [
            {
                "rating": f.rating.value,
                "comment": f.comment,
                "actor": f.actor,
                "at": f.at.isoformat(),
            }
            for f in i.feedback
        ],
    },
    load={
        "status": lambda r: IncidentStatus(r.status),
        "reporter_kind": lambda r: ReporterKind(r.reporter_kind) if r.reporter_kind else None,
        "shared_with": lambda r: set(r.shared_with),
        "feedback": lambda r: [
            Feedback(Rating(f["rating"]), f["comment"], f["actor"], datetime.fromisoformat(f["at"]))
            for f in r.feedback
        ],
    },
)


class IncidentRepository:
    def __init__(self, session: AsyncSession, writes: Writes | None = None) -> None:
        """`writes`: the unit of work's, which sends a save's rows with its outbox rows when it
        commits; without it, a save sends them at once."""
        self.session = session
        self._writes = writes
        # The incidents loaded in this transaction, one object each: what a command may change.
        self.seen: dict[UUID, Incident] = {}
        # How many timeline lines each loaded incident already had stored.
        self._stored_lines: dict[UUID, int] = {}
        # The timer rows each loaded incident's open deadlines already have: a save inserts only
        # new ones (a row fired since has its rung reached, so it is not wanted again either).
        self._stored_timers: dict[UUID, set[tuple]] = {}

    async def get(self, incident_id: UUID, *, for_update: bool = False) -> Incident | None:
        if incident_id in self.seen:
            return self.seen[incident_id]
        return await self._load(_LOCK_BY_ID if for_update else _BY_ID, incident_id, for_update)

    async def by_assignment(self, assignment_id: UUID) -> Incident | None:
        """The incident holding the assignment, locked: found and locked in one statement."""
        for incident in self.seen.values():
            if any(a.id == assignment_id for a in incident.assignments):
                return incident
        return await self._load(_LOCK_BY_ASSIGNMENT, assignment_id, True)

    async def by_assignment_once(
        self, assignment_id: UUID, consumer: str, event_id: str
    ) -> tuple[bool, Incident | None]:
        """`by_assignment`, and the event marked in the inbox as handled by `consumer`, in one
        round trip: (False, …) when it was marked already (a redelivery). (…, None) when no
        incident holds the assignment (the mark then goes with the transaction's rollback)."""
        params = {"key": assignment_id, "consumer": consumer, "event_id": event_id}
        row = (await self.session.execute(_LOCK_BY_ASSIGNMENT_ONCE, params)).first()
        if row is None:
            return True, None
        return row.first_time, await self._load(_LOCK_BY_ASSIGNMENT, assignment_id, True, row)

    async def _load(
        self, statement, key: UUID, for_update: bool, row: Any = None
    ) -> Incident | None:
        """The incident row with its assignments and timeline lines, in one statement (`row`:
        one already read)."""
        if row is None:
            row = (await self.session.execute(statement, {"key": key})).first()
        if row is None:
            return None
        if row.id in self.seen:  # locked already in this transaction, by another way in
            return self.seen[row.id]
        incident = INCIDENT.instance(row)
        incident.assignments = [
            ASSIGNMENT.instance(_Row(assignments, a)) for a in row.assignment_rows
        ]
        incident.timeline = [
            TimelineEntry(t.at, t.action, t.actor, t.detail)
            for t in (_Row(timeline, line) for line in row.timeline_rows)
        ]
        self._stored_lines[incident.id] = len(incident.timeline)
        self._stored_timers[incident.id] = {_timer_key(row) for row in _timer_rows(incident)}
        if for_update:
            self.seen[incident.id] = incident
        return incident

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
        found = {row.id: INCIDENT.instance(row) for row in await self.session.execute(query)}
        await with_assignments(self.session, found)
        return list(found.values())

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
        return [INCIDENT.instance(row) for row in rows]

    async def save(self, incident: Incident, trace_id: str | None) -> None:
        """Insert or update the incident, its assignments, the timeline lines it added, and the
        timer rows of its open deadlines: rows for the unit of work's one statement at commit
        (`lianxin.persistence.writes`), nothing this transaction reads back."""
        writes = self._writes if self._writes is not None else Writes()
        writes.add(_INCIDENT_WRITE, [INCIDENT.values(incident)])
        writes.add(
            _ASSIGNMENT_WRITE,
            [ASSIGNMENT.values(a, incident_id=incident.id) for a in incident.assignments],
        )
        await self._save_timeline(incident, trace_id, writes)
        stored = self._stored_timers.setdefault(incident.id, set())
        timer_rows = [row for row in _timer_rows(incident) if _timer_key(row) not in stored]
        writes.add(_TIMER_WRITE, timer_rows)
        stored.update(_timer_key(row) for row in timer_rows)
        if writes is not self._writes:
            await writes.flush(self.session)

    async def _save_timeline(
        self, incident: Incident, trace_id: str | None, writes: Writes
    ) -> None:
        stored = self._stored_lines.get(incident.id, 0)
        if stored and incident.reporter == ANONYMOUS:
            # Anonymising rewrites who reported it in the lines already stored, too.
            await self.session.execute(
                timeline.update()
                .where(timeline.c.incident_id == incident.id, timeline.c.action == "reported")
                .values(actor=ANONYMOUS)
            )
        writes.add(
            _TIMELINE_WRITE,
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
                for i, line in enumerate(incident.timeline[stored:])
            ],
        )
        self._stored_lines[incident.id] = len(incident.timeline)

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


async def with_assignments(session: AsyncSession, found: dict[UUID, Incident]) -> None:
    """The listed incidents' assignments, in one more statement."""
    if not found:
        return
    rows = await session.execute(
        select(assignments).where(assignments.c.incident_id.in_(found)).order_by(*ASSIGNMENT_ORDER)
    )
    for row in rows:
        found[row.incident_id].assignments.append(ASSIGNMENT.instance(row))


def _all_columns(table: Table, but: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(c.name for c in table.c if c.name not in but)


_INCIDENT_WRITE = TableWrite(incidents, _all_columns(incidents), "update")
_ASSIGNMENT_WRITE = TableWrite(assignments, _all_columns(assignments), "update")
_TIMELINE_WRITE = TableWrite(timeline, _all_columns(timeline, but=("id",)))
# A timer row already there (the same rung of the same deadline) stays as it is.
_TIMER_WRITE = TableWrite(timers, _all_columns(timers), "nothing")


def _children(table: Table, order) -> Any:
    """The incident's rows of `table` as one JSON array, in `order`: read with the incident."""
    rows = func.json_agg(aggregate_order_by(table.table_valued(), *order))
    return type_coerce(
        select(func.coalesce(rows, text("'[]'::json")))
        .where(table.c.incident_id == incidents.c.id)
        .scalar_subquery(),
        JSON,
    )


class _Row:
    """A row of `table` read back from JSON, its values of the column types (as from the
    driver): what `RowMapping.instance` and the timeline read."""

    def __init__(self, table: Table, values: dict[str, Any]) -> None:
        self._mapping = {c.name: _typed(c.type, values.get(c.name)) for c in table.c}

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


def _loading(which) -> Any:
    return select(
        incidents,
        _children(assignments, ASSIGNMENT_ORDER).label("assignment_rows"),
        _children(timeline, (timeline.c.seq,)).label("timeline_rows"),
    ).where(which)


# Built once, the key a parameter: a statement object keeps its cache key, one built per call
# has it computed again each time.
_BY_ID = _loading(incidents.c.id == bindparam("key"))
_LOCK_BY_ID = _BY_ID.with_for_update(of=incidents)
_OWNER = select(assignments.c.incident_id).where(assignments.c.id == bindparam("key"))
_LOCK_BY_ASSIGNMENT = _loading(incidents.c.id == _OWNER.scalar_subquery()).with_for_update(
    of=incidents
)
# The same, with the event's inbox mark written first (a CTE): whether it was new comes back.
_MARK, _FIRST_TIME = inbox_mark(inbox)
_LOCK_BY_ASSIGNMENT_ONCE = _LOCK_BY_ASSIGNMENT.add_columns(_FIRST_TIME).add_cte(_MARK)


def _typed(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value).astimezone(UTC)
    if isinstance(column_type, Uuid):
        return UUID(value)
    return value


def _timer_rows(incident: Incident) -> list[dict]:
    """The timer rows the incident's open deadlines want: a rung not reached yet."""
    return [
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


def _timer_key(row: dict) -> tuple:
    return (row["assignment_id"], row["kind"], row["due_at"], row["rung"])


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


def visible_to_sql(principal: Principal):
    """The same rule as `pipeline.sees`, as SQL."""
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
