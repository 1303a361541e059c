"""`settled_in`: which earlier messages of a consumer are applied or dead-lettered, in one query
against real PostgreSQL (what `lianxin.messaging.order` asks before a report-in is applied)."""

from __future__ import annotations

from sqlalchemy import MetaData

from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.settled import settled_in
from lianxin.persistence.tables import messaging_tables


async def test_applied_and_dead_lettered_messages_are_settled_others_not(database: str) -> None:
    metadata = MetaData()
    _, inbox, dead_letters = messaging_tables(metadata)
    engine = make_engine(database)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(
            inbox.insert(),
            [
                {"consumer": "reports", "event_id": "applied"},
                {"consumer": "someone_else", "event_id": "theirs"},
            ],
        )
        await conn.execute(
            dead_letters.insert(),
            [
                {"stream": "REPORTS", "consumer": "reports", "stream_seq": 3, "reason": "bad"},
                {"stream": "REPORTS", "consumer": "someone_else", "stream_seq": 4, "reason": "x"},
            ],
        )
    settled = settled_in(make_session_factory(engine), inbox, dead_letters)
    try:
        earlier = [(1, "applied"), (2, "pending"), (3, "dead"), (4, "theirs")]
        assert await settled("REPORTS", "reports", earlier) == {1, 3}
        assert await settled("REPORTS", "reports", [(2, "pending")]) == set()
        assert await settled("OTHER", "reports", [(3, "dead")]) == set()
    finally:
        await engine.dispose()
