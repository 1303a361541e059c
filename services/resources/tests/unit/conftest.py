"""A fake unit of work over in-memory repositories (cosmicpython's FakeUnitOfWork): the service
layer runs as it does on PostgreSQL, without any I/O. Each `async with` is one transaction:
what is saved but not committed is rolled back."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Generic, TypeVar
from uuid import UUID

import pytest

from lianxin.auth import Principal, Role, Scope
from lianxin.contracts import EventData

A = TypeVar("A")


class FakeRepository(Generic[A]):
    """Stores copies, as a database would: what a command changes counts once saved."""

    def __init__(self, stored: dict[UUID, A]) -> None:
        self._stored = stored
        self.seen: dict[UUID, A] = {}

    def add(self, aggregate: A) -> None:
        self.seen[aggregate.id] = aggregate  # type: ignore[attr-defined]

    async def get(self, key: UUID, *, for_update: bool = False) -> A | None:
        if key in self.seen:
            return self.seen[key]
        if key not in self._stored:
            return None
        found = copy.deepcopy(self._stored[key])
        if for_update:
            self.seen[key] = found
        return found

    async def lock(self, keys: Iterable[UUID]) -> list[A]:
        found = [await self.get(k, for_update=True) for k in keys]
        return [a for a in found if a is not None]

    async def many(self, keys: Iterable[UUID]) -> list[A]:
        return [copy.deepcopy(self._stored[k]) for k in keys if k in self._stored]

    async def in_communities(self, communities: Iterable[str] | None, **_: Any) -> list[A]:
        wanted = None if communities is None else set(communities)
        return [
            copy.deepcopy(a)
            for a in self._stored.values()
            if wanted is None or a.community_code in wanted  # type: ignore[attr-defined]
        ]

    async def save_all(self) -> Sequence[A]:
        for aggregate in self.seen.values():
            stored = copy.deepcopy(aggregate)
            stored.events = []  # type: ignore[attr-defined]
            self._stored[aggregate.id] = stored  # type: ignore[attr-defined]
        return list(self.seen.values())

    # The few queries of one kind of aggregate

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


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.db: dict[str, dict] = {
            k: {} for k in ("needs", "offers", "meetings", "projects", "wishes", "emergency")
        }
        self.published: list[EventData] = []
        self.handled: set[tuple[str, str]] = set()
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        self._before = copy.deepcopy(self.db)
        self.needs = FakeRepository(self.db["needs"])
        self.offers = FakeRepository(self.db["offers"])
        self.meetings = FakeRepository(self.db["meetings"])
        self.projects = FakeRepository(self.db["projects"])
        self.wishes = FakeRepository(self.db["wishes"])
        self.emergency = FakeEmergency(self.db["emergency"])
        self._pending: list[EventData] = []
        self._marks: set[tuple[str, str]] = set()
        self._committed = False
        return self

    @property
    def repositories(self) -> tuple[FakeRepository, ...]:
        return (self.needs, self.offers, self.meetings, self.projects, self.wishes)

    async def __aexit__(self, *exc: object) -> None:
        if not self._committed:
            for name, table in self._before.items():
                self.db[name].clear()
                self.db[name].update(table)

    def emit(self, data: EventData, **_: Any) -> str:
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
        self._before = copy.deepcopy(self.db)
        self._committed = True
        self.commits += 1

    def types(self) -> list[str]:
        return [type(e).__name__ for e in self.published]


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
