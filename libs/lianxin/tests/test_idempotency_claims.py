"""Issue #17, 7: an `Idempotency-Key` whose request died is taken over by its retry, and of two
requests holding one key only the one with the claim can commit its creation; on real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import chain
from unittest.mock import ANY

import pytest
from sqlalchemy import Float, MetaData, func, text, update

from lianxin.errors import Conflict
from lianxin.idempotency import (
    ANSWER_GRACE,
    KEYS,
    LEASE,
    LIFETIME,
    _Store,
    _unanswered,
    idempotency_table,
)
from lianxin.persistence.claims import Claim, current_claim, mark_committed
from lianxin.persistence.db import make_engine, make_session_factory


@pytest.fixture
async def sessions(database: str) -> AsyncIterator:
    engine = make_engine(database)
    async with engine.begin() as connection:
        await connection.run_sync(idempotency_table(MetaData()).create)
    yield make_session_factory(engine)
    await engine.dispose()


async def _age(sessions, key: str, by=LEASE) -> None:
    """As if the key had been claimed `by` ago."""
    async with sessions() as session, session.begin():
        expires = text(f"now() + interval '{int((LIFETIME - by).total_seconds()) - 1} seconds'")
        await session.execute(update(KEYS).where(KEYS.c.key == key).values(expires_at=expires))


async def _merge_answer(sessions, key: str, **fields) -> None:
    """Merge `fields` into the key's stored answer (SQL expressions allowed)."""
    merged = KEYS.c.answer.op("||")(func.jsonb_build_object(*chain.from_iterable(fields.items())))
    async with sessions() as session, session.begin():
        await session.execute(update(KEYS).where(KEYS.c.key == key).values(answer=merged))


async def _commit_as(sessions, store: _Store) -> None:
    """What the unit of work does in the creation's transaction, for the request of `store`."""
    claimed = current_claim.set(Claim(store.caller, store.key, store.token))
    try:
        async with sessions() as session, session.begin():
            await mark_committed(session)
    finally:
        current_claim.reset(claimed)


async def test_a_running_request_keeps_its_key(sessions) -> None:
    first, retry = _Store(sessions, "tpj", "k1"), _Store(sessions, "tpj", "k1")
    assert await first.claim("f") is None
    running = await retry.claim("f")
    assert running is not None and "status" not in running.answer  # → 409, still running


async def test_a_retry_takes_over_a_key_whose_request_died_and_the_old_one_cannot_commit(
    sessions,
) -> None:
    dead, retry = _Store(sessions, "tpj", "k2"), _Store(sessions, "tpj", "k2")
    assert await dead.claim("f") is None
    await _age(sessions, "k2")
    assert await retry.claim("f") is None  # taken over: the retry runs the route
    await _commit_as(sessions, retry)
    with pytest.raises(Conflict):  # the first request, had it only hung, commits nothing now
        await _commit_as(sessions, dead)


async def test_a_committed_creation_is_never_run_again(sessions) -> None:
    first, retry = _Store(sessions, "tpj", "k3"), _Store(sessions, "tpj", "k3")
    assert await first.claim("f") is None
    await _commit_as(sessions, first)  # created, then died before its answer was stored
    await _age(sessions, "k3")
    unknown = await retry.claim("f")
    assert unknown is not None and unknown.answer["committed"] is True  # → 409, never twice
    # Just committed: the request may yet store its answer, so the retry is told to wait.
    assert _unanswered(unknown).headers == {"Retry-After": "1"}


async def test_a_retry_long_after_a_commit_whose_answer_was_lost_is_told_so_not_to_wait(
    sessions,
) -> None:
    first, retry = _Store(sessions, "tpj", "k5"), _Store(sessions, "tpj", "k5")
    assert await first.claim("f") is None
    await _commit_as(sessions, first)
    committed_at = KEYS.c.answer["committed_at"].astext.cast(Float)
    grace = ANSWER_GRACE.total_seconds()
    await _merge_answer(sessions, "k5", committed_at=committed_at - grace - 1)  # as if then
    lost = _unanswered(await retry.claim("f"))
    assert (lost.status, lost.headers) == (409, None)  # no Retry-After: waiting gets nothing
    assert lost.errors == [
        {"field": "Idempotency-Key", "detail": ANY, "type": "idempotency_answer_lost"}
    ]
    running = _Store(sessions, "tpj", "k6")  # a request still running is still told to wait
    assert await running.claim("f") is None
    assert _unanswered(await _Store(sessions, "tpj", "k6").claim("f")).headers == {
        "Retry-After": "1"
    }


async def test_a_key_marked_committed_before_its_time_was_kept_is_answered_as_lost(
    sessions,
) -> None:
    legacy = _Store(sessions, "tpj", "k7")
    assert await legacy.claim("f") is None
    await _merge_answer(sessions, "k7", committed=True)  # as the mark was, with no time
    assert _unanswered(await _Store(sessions, "tpj", "k7").claim("f")).headers is None


async def test_an_abandoned_key_is_not_taken_over_for_another_request(sessions) -> None:
    first, other = _Store(sessions, "tpj", "k4"), _Store(sessions, "tpj", "k4")
    assert await first.claim("f") is None
    await _age(sessions, "k4")
    refused = await other.claim("g")
    assert refused is not None and refused.fingerprint == "f"  # → 422 naming the header


async def test_a_request_without_a_key_commits_as_ever(sessions) -> None:
    async with sessions() as session, session.begin():
        await mark_committed(session)  # no claim in this context: nothing to mark
