"""A fake unit of work over in-memory repositories (cosmicpython's FakeUnitOfWork): the service
layer runs as it does on PostgreSQL, without any I/O. Each `async with` is one transaction:
what is saved but not committed is rolled back."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from lianxin.auth import Principal, Role, Scope
from lianxin.testing import fakes
from lianxin.testing.fakes import A


class FakeRepository(fakes.FakeRepository[A]):
    """The generic repository, and the few queries of one kind of aggregate."""

    async def in_communities(self, communities: Iterable[str] | None) -> list[A]:
        wanted = None if communities is None else set(communities)
        return [
            copy.deepcopy(a)
            for a in self._stored.values()
            if wanted is None or a.community_code in wanted  # type: ignore[attr-defined]
        ]

    async def from_incident(self, incident_id: UUID) -> Any:
        found = [a for a in self._stored.values() if a.source_incident_id == incident_id]  # type: ignore[attr-defined]
        return found[0] if found else None

    async def last_closed(self, community_code: str, before: datetime) -> Any:
        closed = [
            m
            for m in self._stored.values()
            if m.community_code == community_code  # type: ignore[attr-defined]
            and m.status.value == "closed"  # type: ignore[attr-defined]
            and m.scheduled_at < before  # type: ignore[attr-defined]
        ]
        return copy.deepcopy(max(closed, key=lambda m: m.scheduled_at)) if closed else None  # type: ignore[attr-defined]

    async def under_way(self) -> list[A]:
        return [copy.deepcopy(p) for p in self._stored.values() if p.status.value == "under_way"]  # type: ignore[attr-defined]

    async def claims_by(self, unit: str, since: datetime, until: datetime) -> int:
        return sum(
            1
            for p in self._stored.values()
            for c in p.claims  # type: ignore[attr-defined]
            if c.member_unit_code == unit and since <= c.claimed_at < until
        )


class FakeEmergency:
    def __init__(self, rows: dict[tuple[UUID, UUID], SimpleNamespace]) -> None:
        self.rows = rows

    async def record(
        self, incident_id: UUID, community: str, offer_ids: Sequence[UUID], at: datetime
    ) -> None:
        for o in offer_ids:
            self.rows.setdefault(
                (incident_id, o),
                SimpleNamespace(
                    incident_id=incident_id, offer_id=o, community_code=community, used=0
                ),
            )

    async def for_incident(self, incident_id: UUID) -> list[SimpleNamespace]:
        return [r for (i, _), r in self.rows.items() if i == incident_id]

    async def add_use(self, incident_id: UUID, offer_id: UUID, quantity: int) -> bool:
        row = self.rows.get((incident_id, offer_id))
        if row is None:
            return False
        row.used += quantity
        return True


class FakeUnitOfWork(fakes.FakeUnitOfWork):
    TABLES = ("needs", "offers", "meetings", "projects", "wishes", "emergency")

    def open(self) -> None:
        self.needs = FakeRepository(self.db["needs"])
        self.offers = FakeRepository(self.db["offers"])
        self.meetings = FakeRepository(self.db["meetings"])
        self.projects = FakeRepository(self.db["projects"])
        self.wishes = FakeRepository(self.db["wishes"])
        self.emergency = FakeEmergency(self.db["emergency"])

    @property
    def repositories(self) -> tuple[FakeRepository, ...]:
        return (self.needs, self.offers, self.meetings, self.projects, self.wishes)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def person(role: Role, *communities: str, **scope: Any) -> Principal:
    return Principal(
        f"{role.value}-1", role, Scope(communities=frozenset(communities), **scope), "someone"
    )


COORDINATOR = person(Role.COMMUNITY_COORDINATOR, "taipingjie")
OTHER_COORDINATOR = person(Role.COMMUNITY_COORDINATOR, "changshan")
GRID_LEADER = person(Role.GRID_LEADER, "taipingjie", grid_nodes=frozenset({"tpj-g01"}))
LIAISON = person(Role.MEMBER_UNIT_LIAISON, "taipingjie", member_unit="tpj-u01")
OTHER_LIAISON = person(Role.MEMBER_UNIT_LIAISON, "taipingjie", member_unit="tpj-u02")
VOLUNTEER = person(Role.VOLUNTEER, "taipingjie")
DEPARTMENT = person(Role.DEPARTMENT_OPERATOR, department="power_supply")
ADMIN = person(Role.ALLIANCE_ADMIN, "taipingjie", "changshan", alliance="lianxin")
