"""The read-model reads every command repeats, remembered for a few seconds per process.

Reporting reads the micro-grid, its buildings and its grid's households; a whistle reads the
departments (which it may go to, their declared targets), the community's alliance and the
alliance's routing table; a dispatch reads the department's channels. They change only when
an ORG event arrives (`OrganisationReadModel.apply`) or an alliance's table is saved
(`RoutingRepository.save`), and were a third of incidents' statements per loop in `make bench`.

Staleness allowed: in the process that applied a change, none once its transaction has
committed (the writer clears the cache, and `IncidentsUnitOfWork.commit` clears it again after
the commit, so a read racing the write cannot keep the old rows); in another replica, at most
`SECONDS`. That is the same kind of lag the read model already has behind organisation (an ORG
event's delivery): a department retired a moment ago may still get a whistle, as it could before.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

T = TypeVar("T")

SECONDS = 5.0
# Keys come from callers (a micro-grid code a report names): unknown ones are remembered too,
# so the cache is emptied rather than allowed to grow past this.
MOST = 10_000


class ReadCache:
    def __init__(self, seconds: float = SECONDS, most: int = MOST) -> None:
        self._seconds = seconds
        self._most = most
        self._values: dict[Hashable, tuple[float, Any]] = {}
        # Bumped by every clear: a read that began before it does not store what it read.
        self._generation = 0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and found[0] > now:
            return found[1]
        generation = self._generation
        value = await load()
        if generation == self._generation:
            if len(self._values) >= self._most:
                self._values.clear()
            self._values[key] = (now + self._seconds, value)
        return value

    def clear(self) -> None:
        self._values.clear()
        self._generation += 1


# One cache per database engine (a service process has one; each test its own).
_caches: weakref.WeakKeyDictionary[Engine, ReadCache] = weakref.WeakKeyDictionary()


def read_cache(connection: Any) -> ReadCache:
    """The cache of the engine `connection` (an `AsyncConnection`) belongs to."""
    engine = connection.sync_engine
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = ReadCache()
    return cache
