"""The plain facts the rates are computed from, read from the incidents database; and the one
fact incidents learns from elsewhere, a deliberation's local resolution, written as it arrives."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from incidents.adapters.orm import assignments, communities, deliberated_resolutions, incidents
from incidents.domain.rates import AssignmentFacts, IncidentFacts, SettlementFacts

F = TypeVar("F", AssignmentFacts, IncidentFacts)


async def incident_facts(
    session: AsyncSession, start: datetime, end: datetime
) -> list[IncidentFacts]:
    """Every incident reported in [start, end) or with an assignment dispatched in it, so that a
    department's work on an incident reported the period before still counts for it."""
    dispatched_in = select(assignments.c.incident_id).where(
        assignments.c.dispatched_at >= start, assignments.c.dispatched_at < end
    )
    rows = list(
        await session.execute(
            select(incidents, communities.c.street_code)
            .outerjoin(communities, communities.c.code == incidents.c.community_code)
            .where(
                or_(
                    (incidents.c.reported_at >= start) & (incidents.c.reported_at < end),
                    incidents.c.id.in_(dispatched_in),
                )
            )
        )
    )
    by_id = {r.id: r for r in rows}
    street_of = {r.id: r.street_code or "" for r in rows}
    parts: dict[object, list[AssignmentFacts]] = defaultdict(list)
    if rows:
        for a in await session.execute(
            select(assignments).where(
                assignments.c.incident_id.in_(list(street_of)),
                assignments.c.acknowledge_by.is_not(None),
            )
        ):
            incident = by_id[a.incident_id]
            parts[a.incident_id].append(
                _facts(
                    AssignmentFacts,
                    a,
                    community_code=incident.community_code,
                    street_code=street_of[a.incident_id],
                    extensions=sum(e["status"] == "granted" for e in a.extensions),
                    breached=bool(a.breaches),
                )
            )
    return [
        _facts(
            IncidentFacts,
            r,
            incident_id=str(r.id),
            street_code=street_of[r.id],
            ratings=tuple(f["rating"] for f in r.feedback),
            assignments=tuple(parts[r.id]),
        )
        for r in rows
    ]


def _facts(kind: type[F], row: Row, **worked_out: Any) -> F:
    """`kind`'s record of a row: the row's columns of the same names as its fields, and beside
    them only what is worked out (a name the row does not hold, or holds differently)."""
    same = {f.name: getattr(row, f.name) for f in fields(kind) if f.name not in worked_out}
    return kind(**same, **worked_out)


async def settlement_facts(
    session: AsyncSession | AsyncConnection, start: datetime, end: datetime
) -> list[SettlementFacts]:
    """The deliberations' local resolutions settled in [start, end), with their street."""
    settled = deliberated_resolutions.c.settled_at
    rows = await session.execute(
        select(deliberated_resolutions.c.community_code, communities.c.street_code, settled)
        .outerjoin(communities, communities.c.code == deliberated_resolutions.c.community_code)
        .where(settled >= start, settled < end)
    )
    return [SettlementFacts(r.community_code, r.street_code or "", r.settled_at) for r in rows]


async def record_settlement(session: AsyncSession | AsyncConnection, row: dict[str, Any]) -> None:
    """Once per agreed item, whichever event says it (its key is the item): `row` holds the
    deliberation_id, the item's number, the community_code and when it was settled_at."""
    await session.execute(insert(deliberated_resolutions).values(row).on_conflict_do_nothing())


HELD = ("dispatched", "acknowledged", "in_progress")
RUNGS = ("community", "street", "district_supervision")


async def department_board(session: AsyncSession, now: datetime) -> list[dict]:
    """What each department holds now, how much of it is overdue, and how far up the ladder its
    breaches have gone (counted by the highest rung each assignment reached)."""
    board: dict[str, dict] = {}
    for a in await session.execute(select(assignments).where(assignments.c.status.in_(HELD))):
        row = board.setdefault(
            a.department_code,
            {"department_code": a.department_code, "held": 0, "overdue": 0}
            | {rung: 0 for rung in RUNGS},
        )
        row["held"] += 1
        late_ack = a.status == "dispatched" and a.acknowledge_by and a.acknowledge_by < now
        if late_ack or (a.resolve_by and a.resolve_by < now):
            row["overdue"] += 1
        reached = max((b["rung"] for b in a.breaches), default=0)
        if reached:
            row[RUNGS[reached - 1]] += 1
    return sorted(board.values(), key=lambda r: (-r["overdue"], r["department_code"]))
