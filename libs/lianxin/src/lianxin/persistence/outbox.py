"""The outbox relay: publishes committed events to JetStream, then marks them sent.

Several replicas share the table: each claims a batch with `FOR UPDATE SKIP LOCKED`. A row is
marked sent only after JetStream's publish ack (a duplicate ack counts: the id is the event's),
so a crash or a NATS outage between the two only causes a re-publish that JetStream de-duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nats.js import JetStreamContext
from opentelemetry.metrics import Observation
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lianxin.contracts import CloudEvent
from lianxin.messaging.publisher import publish
from lianxin.telemetry import context_from, meter, producer_span

log = logging.getLogger(__name__)

_backlog = {"value": 0}
meter.create_observable_gauge(
    "lianxin_outbox_backlog",
    callbacks=[lambda _o: [Observation(_backlog["value"])]],
    description="events written but not yet published",
)


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        outbox: Table,
        js: JetStreamContext,
        *,
        poll_seconds: float = 0.5,
        batch: int = 100,
    ) -> None:
        self._sessions = session_factory
        self._outbox = outbox
        self._js = js
        self._poll = poll_seconds
        self._batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Called after a commit that wrote events, so they go out without waiting for a poll."""
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                sent = await self.relay_once()
                failures = 0
            except Exception as exc:
                failures += 1
                log.warning("outbox relay: %s (attempt %d)", exc, failures)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                continue
            if sent < self._batch:
                self._wake.clear()
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):
                        await self._wake.wait()

    async def relay_once(self) -> int:
        """Publish one batch of unsent events. Returns how many were sent."""
        o = self._outbox
        async with self._sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(o.c.id, o.c.subject, o.c.event, o.c.trace_headers)
                    .where(o.c.sent_at.is_(None))
                    .order_by(o.c.id)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await self._publish(row.subject, CloudEvent.model_validate(row.event), row)
                await session.execute(o.update().where(o.c.id == row.id).values(sent_at=func.now()))
            _backlog["value"] = await session.scalar(
                select(func.count()).select_from(o).where(o.c.sent_at.is_(None))
            )
        return len(rows)

    async def _publish(self, subject: str, event: CloudEvent, row) -> None:
        parent = context_from(row.trace_headers)
        with producer_span(subject, event.id, event.correlationid, parent):
            await publish(self._js, subject, event)
