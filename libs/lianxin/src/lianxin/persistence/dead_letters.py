"""Dead letters: what a consumer terminated or gave up on, kept with its reason.

JetStream publishes an advisory when a message is terminated or exhausts `max_deliver`; the DLQ
stream keeps those advisories, and each service's dead-letter consumer turns the ones about its
own consumers into rows, fetching the original message from its stream by sequence.
"""

from __future__ import annotations

import json
import logging

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lianxin.contracts import InvalidEvent
from lianxin.messaging.subscriber import MessageHandler

log = logging.getLogger(__name__)


def dead_letter_recorder(
    js: JetStreamContext, session_factory: async_sessionmaker[AsyncSession], table: Table
) -> MessageHandler:
    async def record(msg: Msg) -> None:
        try:
            advisory = json.loads(msg.data)
            stream, consumer, seq = advisory["stream"], advisory["consumer"], advisory["stream_seq"]
        except (ValueError, KeyError) as exc:
            raise InvalidEvent(f"not a JetStream consumer advisory: {exc}") from exc
        terminated = "terminated" in advisory.get("type", "")
        reason = advisory.get("reason") or (
            "terminated" if terminated else f"gave up after {advisory.get('deliveries')} deliveries"
        )
        subject = payload = None
        headers: dict[str, str] = {}
        try:
            original = await js.get_msg(stream, seq)
            subject, headers = original.subject, dict(original.headers or {})
            payload = original.data.decode("utf-8", errors="replace") if original.data else ""
        except NotFoundError:
            log.warning("dead letter %s/%s#%s no longer in its stream", stream, consumer, seq)
        async with session_factory() as session, session.begin():
            await session.execute(
                insert(table)
                .values(
                    stream=stream,
                    consumer=consumer,
                    stream_seq=seq,
                    subject=subject,
                    payload=payload,
                    headers=headers,
                    reason=reason,
                    deliveries=advisory.get("deliveries"),
                )
                .on_conflict_do_nothing(constraint="dead_letters_once")
            )

    return record
