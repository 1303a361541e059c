"""The incident list as people search it: words (a ticket number, the description, the grid's
name), filters (community, status, category, grid, department, reported between two days,
overdue), an order (newest first, or the nearest open deadline first) and a page, always within
what the caller may see; with the count of all that match, for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, any_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.incident_repository import (
    INCIDENT,
    _overdue_incidents,
    visible_to_sql,
    with_assignments,
)
from incidents.adapters.orm import assignments, grid_nodes, incidents
from incidents.domain.incident import Incident
from incidents.domain.rates import SHANGHAI
from lianxin.auth import Principal

HELD = ("dispatched", "acknowledged", "in_progress")
# `status=open`: everything not finished, as the dashboards count open incidents.
FINISHED = ("resolved", "verified", "closed", "cancelled", "merged", "rejected")


@dataclass(frozen=True)
class IncidentFilter:
    community_code: str | None = None
    status: str | None = None
    words: str = ""
    category: str | None = None
    grid: str | None = None  # a grid node: incidents reported anywhere under it
    department: str | None = None  # incidents with an assignment for it
    holding: bool = False  # … that it still holds (the department board's count)
    reported_from: date | None = None  # days in China's time, both ends included
    reported_to: date | None = None
    overdue_at: datetime | None = None
    by_deadline: bool = False
    limit: int = 100
    offset: int = 0


class IncidentSearch:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, found: IncidentFilter, visible_to: Principal
    ) -> tuple[list[Incident], int]:
        """One page of the matching incidents (with their assignments), and how many match."""
        where = _conditions(found, visible_to)
        total = (
            await self.session.execute(select(func.count()).select_from(incidents).where(*where))
        ).scalar_one()
        query = _ordered(select(incidents).where(*where), found)
        rows = await self.session.execute(query.limit(found.limit).offset(found.offset))
        page = {row.id: INCIDENT.instance(row) for row in rows}
        await with_assignments(self.session, page)
        return list(page.values()), total


def _conditions(found: IncidentFilter, visible_to: Principal) -> list:
    where = [visible_to_sql(visible_to)]
    if found.community_code:
        where.append(incidents.c.community_code == found.community_code)
    if found.status == "open":
        where.append(incidents.c.status.not_in(FINISHED))
    elif found.status:
        where.append(incidents.c.status == found.status)
    if found.category:
        where.append(incidents.c.category == found.category)
    if found.grid:
        where.append(incidents.c.grid_path.contains([found.grid]))
    if found.department:
        where.append(incidents.c.id.in_(_of_department(found.department, found.holding)))
    if found.reported_from:
        where.append(incidents.c.reported_at >= _start_of(found.reported_from))
    if found.reported_to:
        where.append(incidents.c.reported_at < _start_of(found.reported_to + timedelta(days=1)))
    if found.overdue_at is not None:
        where.append(incidents.c.id.in_(_overdue_incidents(found.overdue_at)))
    where += [_matching(word) for word in found.words.split()]
    return where


def _matching(word: str):
    """One word of the search: in the ticket number, the description, or the grid's name."""
    pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    named = exists().where(
        grid_nodes.c.code == any_(incidents.c.grid_path),
        grid_nodes.c.name.ilike(pattern, escape="\\"),
    )
    return or_(
        incidents.c.ticket_no.ilike(pattern, escape="\\"),
        incidents.c.description.ilike(pattern, escape="\\"),
        named,
    )


def _of_department(code: str, holding: bool):
    query = select(assignments.c.incident_id).where(assignments.c.department_code == code)
    return query.where(assignments.c.status.in_(HELD)) if holding else query


def _ordered(query: Select, found: IncidentFilter) -> Select:
    newest = (incidents.c.reported_at.desc(), incidents.c.id)
    if not found.by_deadline:
        return query.order_by(*newest)
    # The nearest deadline still open: signing for it while dispatched, else resolving it.
    due = case(
        (assignments.c.status == "dispatched", assignments.c.acknowledge_by),
        else_=assignments.c.resolve_by,
    )
    held = [assignments.c.incident_id == incidents.c.id, assignments.c.status.in_(HELD)]
    if found.department:
        held.append(assignments.c.department_code == found.department)
    nearest = select(func.min(due)).where(and_(*held)).scalar_subquery()
    return query.order_by(nearest.asc().nulls_last(), *newest)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI)
