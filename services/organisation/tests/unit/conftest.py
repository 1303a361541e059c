"""A fake unit of work over in-memory repositories (cosmicpython's FakeUnitOfWork): the service
layer's commands run in milliseconds, without a database or a broker.

Writes are staged until `commit`, and dropped when the unit of work is left without one, so a
refused or failed command leaves the stores as they were, as a rolled-back transaction would.
Aggregates are copied in and out, as rows would be.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from organisation.domain.base import Aggregate
from organisation.domain.grid import GridTree
from organisation.domain.model import REFERENCES


def _copy(aggregate: Aggregate) -> Aggregate:
    made = copy.deepcopy(aggregate)
    made.events = []
    return made


class FakeStore:
    def __init__(self) -> None:
        self.rows: dict[str, Aggregate] = {}
        self.staged: dict[str, Aggregate] = {}

    def _all(self) -> dict[str, Aggregate]:
        return {**self.rows, **self.staged}

    async def get(self, key: str, *, for_update: bool = False) -> Any:
        found = self._all().get(key)
        return _copy(found) if found else None

    async def many(self, keys: Iterable[str]) -> dict[str, Any]:
        rows = self._all()
        return {k: _copy(rows[k]) for k in set(keys) if k in rows}

    async def exists(self, keys: Iterable[str]) -> set[str]:
        return set(keys) & set(self._all())

    async def list(self, *, include_retired: bool = False, **filters: str | None) -> list[Any]:
        def matches(a: Aggregate) -> bool:
            for name, value in filters.items():
                have = getattr(a, name)
                if value is not None and value not in (have if isinstance(have, list) else [have]):
                    return False
            return include_retired or a.active

        return [_copy(a) for _, a in sorted(self._all().items()) if matches(a)]

    async def add(self, *aggregates: Aggregate) -> None:
        for a in aggregates:
            assert a.key not in self._all(), f"{a.key} added twice"
            self.staged[a.key] = _copy(a)

    async def save(self, *aggregates: Aggregate) -> None:
        for a in aggregates:
            self.staged[a.key] = _copy(a)


class FakePeople(FakeStore):
    async def holders(self, posts: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        wanted = set(posts)
        return {
            (r.node_code, r.role): p.code
            for p in self._all().values()
            for r in p.roles  # type: ignore[attr-defined]
            if (r.node_code, r.role) in wanted
        }


class FakeOrganisationRepository:
    def __init__(self) -> None:
        self.stores: dict[str, FakeStore] = {
            name: FakePeople() if name == "person" else FakeStore()
            for name in (
                "district",
                "street",
                "community",
                "alliance",
                "member_unit",
                "big_committee",
                "department",
                "grid_node",
                "party_organisation",
                "person",
            )
        }
        for name, store in self.stores.items():
            setattr(self, _plural(name), store)

    async def grid_tree(self, community, *, for_update: bool = False) -> GridTree:
        nodes = self.stores["grid_node"]._all().values()
        return GridTree(community, [_copy(n) for n in nodes if n.community_code == community.code])  # type: ignore[attr-defined]

    async def in_use(self, aggregate: str, code: str) -> list[str]:
        found = []
        for referred, referrer, field, what in REFERENCES:
            if referred == aggregate:
                for key, a in sorted(self.stores[referrer]._all().items()):
                    value = getattr(a, field)
                    if a.active and (code in value if isinstance(value, list) else value == code):
                        found.append(f"{what} {key}")
        if aggregate == "grid_node":
            people = self.stores["person"]._all().values()
            found += [f"{r.role} {p.code}" for p in people for r in p.roles if r.node_code == code]  # type: ignore[attr-defined]
        return found

    def commit(self) -> None:
        for store in self.stores.values():
            store.rows.update(store.staged)
            store.staged.clear()

    def rollback(self) -> None:
        for store in self.stores.values():
            store.staged.clear()


def _plural(name: str) -> str:
    return {"person": "people", "community": "communities"}.get(name, f"{name}s")


class FakeUnitOfWork:
    """`events`: what committed transactions put in the outbox, as (contract, community)."""

    def __init__(self) -> None:
        self.org = FakeOrganisationRepository()
        self.events: list[tuple[Any, str | None]] = []
        self._emitted: list[tuple[Any, str | None]] = []
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._emitted.clear()
        self.org.rollback()

    def emit(self, data: Any, *, community: str | None = None, correlation_id: str | None = None):
        self._emitted.append((data, community))

    async def commit(self) -> None:
        self.events += self._emitted
        self._emitted = []
        self.org.commit()
        self.commits += 1

    def types(self) -> list[str]:
        """The committed events' types, short: ["district.registered", …]."""
        return [d.TYPE.removeprefix("cn.lianxin.org.").removesuffix(".v1") for d, _ in self.events]


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()
