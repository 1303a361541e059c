"""A fake unit of work over in-memory repositories (cosmicpython's FakeUnitOfWork): the service
layer runs as it does on PostgreSQL, without any I/O."""

from __future__ import annotations

import copy
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from incidents.domain.incident import Incident
from incidents.domain.routing import RoutingTable
from lianxin.contracts import EventData

MICRO_GRIDS = {
    "tpj-g01-m01": ("taipingjie", ["tpj-g01", "tpj-g01-m01"]),
    "csh-g01-m01": ("changshan", ["csh-g01", "csh-g01-m01"]),
}
DEPARTMENTS = ("power_supply", "property", "housing")


class FakeIncidents:
    """Stores copies, as a database would: what a command changes counts once saved."""

    def __init__(self, stored: dict[UUID, Incident]) -> None:
        self._stored = stored
        self.seen: dict[UUID, Incident] = {}

    async def get(self, incident_id: UUID, *, for_update: bool = False) -> Incident | None:
        if incident_id in self.seen:
            return self.seen[incident_id]
        if incident_id not in self._stored:
            return None
        incident = copy.deepcopy(self._stored[incident_id])
        if for_update:
            self.seen[incident_id] = incident
        return incident

    async def by_assignment(self, assignment_id: UUID) -> Incident | None:
        for incident in self._stored.values():
            if any(a.id == assignment_id for a in incident.assignments):
                return await self.get(incident.id, for_update=True)
        return None

    async def recent_in_community(
        self, community_code: str, category: str, since: datetime
    ) -> list[Incident]:
        return [
            copy.deepcopy(i)
            for i in self._stored.values()
            if (i.community_code, i.category) == (community_code, category)
            and i.reported_at >= since
        ]

    async def save(self, incident: Incident, trace_id: str | None) -> None:
        stored = copy.deepcopy(incident)
        stored.events = []  # events go to the outbox, never into the row
        self._stored[incident.id] = stored


class FakeOrganisation:
    async def grid_node(self, code: str) -> Any:
        if code not in MICRO_GRIDS:
            return None
        community, path = MICRO_GRIDS[code]
        return SimpleNamespace(
            code=code, kind="micro_grid", retired_at=None, path=path, community_code=community
        )

    async def known_departments(self, codes: list[str]) -> set[str]:
        return set(codes) & set(DEPARTMENTS)

    async def departments(self) -> list[Any]:
        return [SimpleNamespace(code=c, sla=None, categories=[], areas=[]) for c in DEPARTMENTS]

    async def alliance_of(self, community_code: str) -> str | None:
        return None

    async def alliance_partners(self, community_code: str) -> list[Any]:
        return []

    async def community(self, code: str) -> Any:
        return None


class FakeRouting:
    async def table(self, alliance_code: str) -> RoutingTable:
        return RoutingTable(alliance_code)


class FakeUnitOfWork:
    """One 'database' across transactions; each `async with` is one transaction."""

    def __init__(self) -> None:
        self.stored: dict[UUID, Incident] = {}
        self.published: list[EventData] = []
        self.handled: set[tuple[str, str]] = set()
        self.commits = 0
        self.org = FakeOrganisation()
        self.routing = FakeRouting()

    async def __aenter__(self) -> FakeUnitOfWork:
        self.incidents = FakeIncidents(self.stored)
        self._pending: list[EventData] = []
        self._marks: set[tuple[str, str]] = set()
        self._before = copy.deepcopy(self.stored)
        self._committed = False
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self._committed:  # roll back what was saved but not committed
            self.stored.clear()
            self.stored.update(self._before)

    def emit(self, data: EventData, *, community: str | None = None, **_: Any) -> str:
        self._pending.append(data)
        return str(len(self.published) + len(self._pending))

    async def first_time(self, consumer: str, event_id: str) -> bool:
        key = (consumer, event_id)
        if key in self.handled or key in self._marks:
            return False
        self._marks.add(key)
        return True

    async def commit(self) -> None:
        self.published.extend(self._pending)
        self.handled |= self._marks
        self._pending, self._marks = [], set()
        self._before = copy.deepcopy(self.stored)
        self._committed = True
        self.commits += 1

    def types(self) -> list[str]:
        return [type(e).__name__ for e in self.published]


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
