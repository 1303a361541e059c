"""The generic half of cosmicpython's FakeUnitOfWork, for handler tests without I/O.

A service's `tests/unit/conftest.py` subclasses `FakeUnitOfWork`, names its tables and opens its
own fake repositories over them in `open()`. Each `async with` is one transaction: rows are
stored as deep copies, so what a command changes counts once it is saved and committed, and
leaving the block rolls back whatever was saved since the last commit.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any, Generic, Self, TypeVar
from uuid import UUID

from lianxin.contracts import EventData

A = TypeVar("A")


def stored(aggregate: A) -> A:
    """The aggregate as its row keeps it: a copy, without its events (they go to the outbox)."""
    row = copy.deepcopy(aggregate)
    if hasattr(row, "events"):
        row.events = []
    return row


class FakeRepository(Generic[A]):
    """Aggregates by id over one table; what is read for update is the one copy saved back."""

    def __init__(self, rows: dict[UUID, A]) -> None:
        self._stored = rows
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

    async def save_all(self) -> Sequence[A]:
        for aggregate in self.seen.values():
            self._stored[aggregate.id] = stored(aggregate)  # type: ignore[attr-defined]
        return list(self.seen.values())


class FakeUnitOfWork:
    """One 'database' (`db`: a dict of rows per name in `TABLES`) across transactions."""

    TABLES: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.db: dict[str, dict[Any, Any]] = {name: {} for name in self.TABLES}
        self.published: list[EventData] = []
        self.handled: set[tuple[str, str]] = set()
        self.commits = 0

    def open(self) -> None:
        """Open the service's fake repositories over `self.db` for one transaction."""

    async def __aenter__(self) -> Self:
        self._before = copy.deepcopy(self.db)
        self._pending: list[EventData] = []
        self._marks: set[tuple[str, str]] = set()
        self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for name, rows in self._before.items():  # roll back what was saved but not committed
            self.db[name].clear()
            self.db[name].update(rows)

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
        self._before = copy.deepcopy(self.db)
        self.commits += 1

    def types(self) -> list[str]:
        return [type(e).__name__ for e in self.published]
