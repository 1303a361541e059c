"""Which of a consumer's messages are settled: applied (their event id in its inbox) or
dead-lettered (their stream sequence in its dead letters). `lianxin.messaging.order` asks it."""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lianxin.messaging.order import Settled


def settled_in(
    sessions: async_sessionmaker[AsyncSession], inbox: Table, dead_letters: Table
) -> Settled:
    async def settled(stream: str, consumer: str, messages: list[tuple[int, str]]) -> set[int]:
        by_id = {event_id: seq for seq, event_id in messages}
        async with sessions() as session:
            applied = await session.scalars(
                select(inbox.c.event_id).where(
                    inbox.c.consumer == consumer, inbox.c.event_id.in_(list(by_id))
                )
            )
            dead = await session.scalars(
                select(dead_letters.c.stream_seq).where(
                    dead_letters.c.stream == stream,
                    dead_letters.c.consumer == consumer,
                    dead_letters.c.stream_seq.in_([seq for seq, _ in messages]),
                )
            )
            return {by_id[event_id] for event_id in applied} | set(dead)

    return settled
