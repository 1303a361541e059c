"""The read cache: a read is remembered, a clear forgets it, a read racing a clear is not kept."""

from __future__ import annotations

import asyncio

from incidents.adapters.read_cache import ReadCache


def counting(value: object = "row"):
    loads: list[int] = []

    async def load() -> object:
        loads.append(1)
        return value

    return load, loads


async def test_a_read_is_remembered_until_the_cache_is_cleared() -> None:
    cache = ReadCache()
    load, loads = counting()
    assert await cache.get("k", load) == "row"
    assert await cache.get("k", load) == "row"
    assert len(loads) == 1
    cache.clear()
    await cache.get("k", load)
    assert len(loads) == 2


async def test_a_read_past_its_time_is_read_again() -> None:
    cache = ReadCache(seconds=0)
    load, loads = counting()
    await cache.get("k", load)
    await cache.get("k", load)
    assert len(loads) == 2


async def test_a_read_that_began_before_a_clear_is_not_kept() -> None:
    cache = ReadCache()
    reading, release = asyncio.Event(), asyncio.Event()

    async def slow_old_rows() -> str:
        reading.set()
        await release.wait()
        return "old"

    racing = asyncio.create_task(cache.get("k", slow_old_rows))
    await reading.wait()
    cache.clear()  # a write committed meanwhile
    release.set()
    assert await racing == "old"
    load, _ = counting("new")
    assert await cache.get("k", load) == "new"


async def test_the_cache_never_holds_more_than_its_most() -> None:
    cache = ReadCache(most=3)
    for n in range(10):
        load, _ = counting(n)
        await cache.get(n, load)
    assert len(cache._values) <= 3
