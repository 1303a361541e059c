"""A fake unit of work over in-memory repositories (cosmicpython's FakeUnitOfWork): the service
layer runs as it does on PostgreSQL, without any I/O."""

from __future__ import annotations

import copy
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from incidents.domain import tickets
from incidents.domain.incident import Incident
from incidents.domain.routing import RoutingTable
from lianxin.testing import fakes
from lianxin.testing.fakes import FakeRepository, stored

MICRO_GRIDS = {
    "tpj-g01-m01": ("taipingjie", ["tpj-g01", "tpj-g01-m01"]),
    "csh-g01-m01": ("changshan", ["csh-g01", "csh-g01-m01"]),
}
GRID_HOUSEHOLDS = {"tpj-g01": 475}  # 朝华新城's five micro-grids
DEPARTMENTS = ("power_supply", "property", "housing")


class FakeIncidents(FakeRepository[Incident]):
    first_time: Any  # the unit of work's inbox mark, which the real one writes with the load

    async def by_assignment_once(
        self, assignment_id: UUID, consumer: str, event_id: str
    ) -> tuple[bool, Incident | None]:
        incident = await self.by_assignment(assignment_id)
        return (await self.first_time(consumer, event_id) if incident else True), incident

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
        self._stored[incident.id] = stored(incident)


class FakeOrganisation:
    async def grid_node(self, code: str) -> Any:
        if code not in MICRO_GRIDS:
            return None
        community, path = MICRO_GRIDS[code]
        return SimpleNamespace(
            code=code, kind="micro_grid", retired_at=None, path=path, community_code=community
        )

    async def households_under(self, code: str) -> int:
        return GRID_HOUSEHOLDS.get(code, 0)

    async def buildings_of(self, node: Any) -> dict[str, list[str]]:
        return {}  # no building nodes or address keys: any building name is taken

    async def known_departments(self, codes: list[str]) -> set[str]:
        return set(codes) & set(DEPARTMENTS)

    async def live_departments(self) -> list[Any]:
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


class FakeTickets:
    """The counters of ticket numbers, per community and day."""

    def __init__(self) -> None:
        self.last: dict[tuple, int] = {}
        self._taken = 0

    def number_at_commit(self, incident: Any) -> None:
        key = (incident.community_code, tickets.day_of(incident.reported_at).date())
        self.last[key] = self.last.get(key, 0) + 1
        self._taken = self.last[key]

    def taken(self, incident: Any) -> str:
        return tickets.number(incident.community_code, incident.reported_at, self._taken)


class FakeUnitOfWork(fakes.FakeUnitOfWork):
    TABLES = ("incidents",)

    def __init__(self) -> None:
        super().__init__()
        self.stored: dict[UUID, Incident] = self.db["incidents"]
        self.org = FakeOrganisation()
        self.routing = FakeRouting()
        self.tickets = FakeTickets()

    def open(self) -> None:
        self.incidents = FakeIncidents(self.stored)
        self.incidents.first_time = self.first_time


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
