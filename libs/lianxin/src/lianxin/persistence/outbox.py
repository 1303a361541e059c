"""The outbox relay: publishes committed events to JetStream, then marks them sent.

Several replicas share the table: each claims a batch with `FOR UPDATE SKIP LOCKED`. A row is
marked sent only after JetStream's publish ack (a duplicate ack counts: the id is the event's),
so a crash or a NATS outage between the two only causes a re-publish that JetStream de-duplicates.

JetStream de-duplicates only within its duplicate window (`streams.duplicate_window()`): after a
PostgreSQL outage longer than that between a publish and the marking of its row, the same id
would be stored twice. So a row older than half the window (by PostgreSQL's clock, the one that
wrote `created_at`) is first looked up in its stream (`publisher.ids_in_stream`, from the row's
`created_at`); one found there is marked sent, not published again. A row younger than that
cannot have been published more than half a window ago: the stream still drops a second copy.

A batch is published at once and its acks awaited together: the publishes leave on the one NATS
connection in the rows' order (so JetStream stores them in that order), and each row is marked
sent after its own ack, all in one UPDATE. A publish that fails is written down on its row
(`attempts` one more, `last_error` its text) in the same transaction, so operators see which
event is stuck and why (`/ops/outbox`); the rows after it that failed too are left as they were
(they wait behind it: the same cause), the ones acked are marked sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from nats.js import JetStreamContext
from opentelemetry.metrics import Observation
from sqlalchemy import BigInteger, Row, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lianxin.messaging.publisher import ids_in_stream, publish_stored
from lianxin.messaging.streams import duplicate_window
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
        duplicate_window_seconds: float | None = None,
    ) -> None:
        self._sessions = session_factory
        self._outbox = outbox
        self._js = js
        self._poll = poll_seconds
        self._batch = batch
        self._wake = asyncio.Event()
        window = (
            duplicate_window() if duplicate_window_seconds is None else duplicate_window_seconds
        )
        self._look_up_after = timedelta(seconds=window / 2)
        o = outbox
        # Built once: a pass runs them with its values. The ids marked sent are one array
        # (`= ANY`), not an IN list, which SQLAlchemy compiles at each call and the driver
        # prepares anew for each new length.
        self._claim = (
            select(
                o.c.id,
                o.c.subject,
                o.c.event,
                o.c.trace_headers,
                o.c.created_at,
                (func.now() - o.c.created_at > self._look_up_after).label("old"),
            )
            .where(o.c.sent_at.is_(None))
            .order_by(o.c.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        self._mark_sent = (
            o.update()
            .where(o.c.id == bindparam("ids", type_=ARRAY(BigInteger)).any_())
            .values(sent_at=func.now())
        )

    def wake(self) -> None:
        """Called after a commit that wrote events, so they go out without waiting for a poll."""
        self._wake.set()

    async def run(self) -> None:
        failures = 0
        while True:
            # Cleared before the pass, not after: a commit that wakes the relay during a pass
            # (its rows may be too late for that pass's SELECT) gets a pass of its own at once,
            # instead of waiting for the next poll (measured: one loop in ten waited ~0.5 s).
            self._wake.clear()
            try:
                sent = await self.relay_once()
                failures = 0
            except Exception as exc:
                failures += 1
                log.warning("outbox relay: %s (attempt %d)", exc, failures)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))
                continue
            if sent < self._batch:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):
                        await self._wake.wait()

    async def relay_once(self) -> int:
        """Publish one batch of unsent events. Returns how many were sent; raises the publish's
        error (after recording it on the event's row) when one fails."""
        o = self._outbox
        failure: Exception | None = None
        # A connection, not an ORM session: the session's own bookkeeping around each of these
        # statements was a tenth of resources' CPU in `make bench` (as in the unit of work).
        async with self._sessions.kw["bind"].begin() as session:
            rows = (await session.execute(self._claim)).all()
            stored = await self._already_stored([row for row in rows if row.old])
            to_publish = [row for row in rows if row.event["id"] not in stored]
            outcomes = await asyncio.gather(
                *(self._publish(row) for row in to_publish), return_exceptions=True
            )
            acked = [row.id for row in stored.values()] + [
                row.id for row, outcome in zip(to_publish, outcomes, strict=True) if outcome is None
            ]
            failed = [
                (row, outcome)
                for row, outcome in zip(to_publish, outcomes, strict=True)
                if isinstance(outcome, BaseException)
            ]
            if acked:
                await session.execute(self._mark_sent, {"ids": acked})
            if failed:
                row, failure = failed[0]
                await session.execute(
                    o.update()
                    .where(o.c.id == row.id)
                    .values(attempts=o.c.attempts + 1, last_error=error_text(failure))
                )
            sent = len(acked)
            # A short batch took every unsent row not locked by another replica: no count needed.
            _backlog["value"] = (
                len(failed)
                if len(rows) < self._batch
                else await session.scalar(
                    select(func.count()).select_from(o).where(o.c.sent_at.is_(None))
                )
            )
        if failure is not None:
            raise failure
        return sent

    async def _already_stored(self, old: list[Row]) -> dict[str, Row]:
        """Those of the old rows whose event the stream already holds, by event id: published
        before, but not marked sent (PostgreSQL went away in between). One look-up per subject."""
        stored: dict[str, Row] = {}
        for subject in {row.subject for row in old}:
            rows = [row for row in old if row.subject == subject]
            ids = await ids_in_stream(self._js, subject, min(row.created_at for row in rows))
            stored |= {row.event["id"]: row for row in rows if row.event["id"] in ids}
        if stored:
            log.info("outbox relay: %d events already in their stream, marked sent", len(stored))
        return stored

    async def _publish(self, row: Row) -> None:
        # The row holds the envelope as the unit of work validated and dumped it: sent as it is,
        # not validated and dumped again.
        event = row.event
        parent = context_from(row.trace_headers)
        with producer_span(row.subject, event["id"], event.get("correlationid"), parent):
            await publish_stored(self._js, row.subject, event)


def error_text(exc: BaseException) -> str:
    """What an operator reads in `last_error`: the error's class (nats-py's timeouts say little
    more than their class) and its message, cut to a size a table view can show."""
    message = str(exc).strip()
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text[:1000]
