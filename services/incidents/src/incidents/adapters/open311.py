"""The Open311 facade's read side: incidents, their timelines and departments, by SQL.

A query view over incidents' own tables (three queries for a page, not one per incident); the
visibility rule is the repository's, so Open311 shows exactly what the rest of the API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.incident_repository import visible_to_sql as visible
from incidents.adapters.orm import assignments, departments, grid_nodes, incidents, timeline
from incidents.adapters.photo_store import PhotoStore
from incidents.domain.open311 import STATUS, Line
from lianxin.auth import Principal
from lianxin.settings import ServiceSettings


@dataclass
class RequestView:
    id: UUID
    status: str
    category: str
    description: str
    micro_grid_code: str
    micro_grid_name: str
    reported_at: datetime
    photos: list[str] = field(default_factory=list)
    latitude: float | None = None  # the map pin, where the report gave one
    longitude: float | None = None
    lead_department: str | None = None
    # When the lead department must have resolved it (its service level), once whistled.
    expected_at: datetime | None = None
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Service:
    code: str
    departments: list[tuple[str, str]]  # (code, name), lead candidates first by code


class Open311View:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def services(self) -> list[Service]:
        """One service per category an active department handles."""
        rows = await self.session.execute(
            select(departments.c.code, departments.c.name, departments.c.categories)
            .where(departments.c.retired_at.is_(None))
            .order_by(departments.c.code)
        )
        by_category: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            for category in row.categories:
                by_category.setdefault(category, []).append((row.code, row.name))
        return [Service(code, by_category[code]) for code in sorted(by_category)]

    async def requests(
        self,
        principal: Principal,
        *,
        ids: list[UUID] | None = None,
        service_codes: list[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        statuses: list[str] | None = None,
        limit: int = 1000,
    ) -> list[RequestView]:
        """The visible incidents matching the filters, newest first."""
        i = incidents
        query = (
            select(i, grid_nodes.c.name.label("micro_grid_name"))
            .join(grid_nodes, grid_nodes.c.code == i.c.micro_grid_code, isouter=True)
            .where(visible(principal))
            .order_by(i.c.reported_at.desc())
            .limit(limit)
        )
        if ids is not None:
            query = query.where(i.c.id.in_(ids))
        if service_codes:
            query = query.where(i.c.category.in_(service_codes))
        if start is not None:
            query = query.where(i.c.reported_at >= start)
        if end is not None:
            query = query.where(i.c.reported_at <= end)
        if statuses:
            ours = [s for s, theirs in STATUS.items() if theirs in statuses]
            query = query.where(i.c.status.in_(ours))
        views = {
            row.id: RequestView(
                id=row.id,
                status=row.status,
                category=row.category,
                description=row.description,
                micro_grid_code=row.micro_grid_code,
                micro_grid_name=row.micro_grid_name or row.micro_grid_code,
                reported_at=row.reported_at,
                photos=list(row.photos or []),
                latitude=row.latitude,
                longitude=row.longitude,
            )
            for row in await self.session.execute(query)
        }
        if views:
            await self._fill(views)
        return list(views.values())

    async def _fill(self, views: dict[UUID, RequestView]) -> None:
        leads = await self.session.execute(
            select(assignments.c.incident_id, assignments.c.resolve_by, departments.c.name)
            .join(departments, departments.c.code == assignments.c.department_code)
            .where(
                assignments.c.incident_id.in_(list(views)),
                assignments.c.lead,
                assignments.c.status.not_in(["rerouted", "cancelled"]),
            )
        )
        for row in leads:
            views[row.incident_id].lead_department = row.name
            views[row.incident_id].expected_at = row.resolve_by
        lines = await self.session.execute(
            select(timeline)
            .where(timeline.c.incident_id.in_(list(views)))
            .order_by(timeline.c.incident_id, timeline.c.seq)
        )
        for t in lines:
            views[t.incident_id].lines.append(Line(t.seq, t.at, t.action, t.actor, t.detail))
        # A photo kept here comes before references given with the report (`media_url`): its
        # address on this service, where a caller who sees the request may fetch it.
        base = ServiceSettings().service_url("incidents")
        for incident_id, photo_id in (await PhotoStore(self.session).first_of(list(views))).items():
            views[incident_id].photos.insert(0, f"{base}/incidents/{incident_id}/photos/{photo_id}")

    async def updated_between(
        self, principal: Principal, start: datetime | None, end: datetime | None, limit: int
    ) -> list[RequestView]:
        """The visible incidents with a timeline line between `start` and `end`."""
        query = (
            select(timeline.c.incident_id)
            .join(incidents, incidents.c.id == timeline.c.incident_id)
            .where(visible(principal))
            .group_by(timeline.c.incident_id)
        )
        if start is not None:
            query = query.where(timeline.c.at >= start)
        if end is not None:
            query = query.where(timeline.c.at <= end)
        ids = list((await self.session.scalars(query.limit(limit))).all())
        return await self.requests(principal, ids=ids, limit=limit) if ids else []
