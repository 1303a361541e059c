"""Which of a consumer's messages are settled: applied (their event id in its inbox) or
dead-lettered (their stream sequence in its dead letters). `lianxin.messaging.order` asks it."""

from __future__ import annotations

from sqlalchemy import BigInteger, Table, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lianxin.messaging.order import Settled


def settled_in(
    sessions: async_sessionmaker[AsyncSession], inbox: Table, dead_letters: Table
) -> Settled:
    async def settled(stream: str, consumer: str, messages: list[tuple[int, str]]) -> set[int]:
        by_id = {event_id: seq for seq, event_id in messages}
        applied = select(inbox.c.event_id, literal(None, BigInteger).label("seq")).where(
            inbox.c.consumer == consumer, inbox.c.event_id.in_(list(by_id))
        )
        dead = select(literal(None, inbox.c.event_id.type), dead_letters.c.stream_seq).where(
            dead_letters.c.stream == stream,
            dead_letters.c.consumer == consumer,
            dead_letters.c.stream_seq.in_([seq for seq, _ in messages]),
        )
        # One statement on a connection of its own, in autocommit: asked for nearly every
        # report-in, where an ORM session's BEGIN, two SELECTs and ROLLBACK were four round trips.
        async with sessions.kw["bind"].connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            rows = await connection.execute(union_all(applied, dead))
            return {by_id[r[0]] if r[0] is not None else r[1] for r in rows}

    return settled
