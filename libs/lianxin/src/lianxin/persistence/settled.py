"""Which of a consumer's messages are settled: applied (their event id in its inbox) or
dead-lettered (their stream sequence in its dead letters). `lianxin.messaging.order` asks it."""

from __future__ import annotations

from sqlalchemy import BigInteger, Table, bindparam, literal, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lianxin.messaging.order import Settled


def settled_in(
    sessions: async_sessionmaker[AsyncSession], inbox: Table, dead_letters: Table
) -> Settled:
    # The ids and sequences as two arrays (`= ANY`), not expanding IN lists: one statement text
    # whatever their number, compiled once and prepared once per connection (an IN list of n
    # items is compiled at each call, and is a new statement for the driver at each new n).
    applied = select(inbox.c.event_id, literal(None, BigInteger).label("seq")).where(
        inbox.c.consumer == bindparam("consumer"),
        inbox.c.event_id == bindparam("ids", type_=ARRAY(inbox.c.event_id.type)).any_(),
    )
    dead = select(literal(None, inbox.c.event_id.type), dead_letters.c.stream_seq).where(
        dead_letters.c.stream == bindparam("stream"),
        dead_letters.c.consumer == bindparam("consumer"),
        dead_letters.c.stream_seq == bindparam("seqs", type_=ARRAY(BigInteger)).any_(),
    )
    statement = union_all(applied, dead)

    async def settled(stream: str, consumer: str, messages: list[tuple[int, str]]) -> set[int]:
        by_id = {event_id: seq for seq, event_id in messages}
        params = {
            "stream": stream,
            "consumer": consumer,
            "ids": list(by_id),
            "seqs": [seq for seq, _ in messages],
        }
        # One statement on a connection of its own, in autocommit: asked for nearly every
        # report-in, where an ORM session's BEGIN, two SELECTs and ROLLBACK were four round trips.
        async with sessions.kw["bind"].connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            rows = await connection.execute(statement, params)
            return {by_id[r[0]] if r[0] is not None else r[1] for r in rows}

    return settled
