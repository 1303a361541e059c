"""Outbox relay, inbox and dead letters against real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import json

import pytest
from nats.js.api import AckPolicy
from sqlalchemy import MetaData, func, select

from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts.org import DepartmentRegistered
from lianxin.health import outbox_status
from lianxin.messaging.connection import connect
from lianxin.messaging.publisher import publish_stored
from lianxin.messaging.streams import (
    MAX_DELIVERIES,
    STREAMS,
    TERMINATED,
    ConsumerSpec,
    declare_consumer,
    declare_stream,
)
from lianxin.messaging.subscriber import for_events, run_consumer
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.dead_letters import dead_letter_recorder
from lianxin.persistence.outbox import OutboxRelay, error_text
from lianxin.persistence.tables import messaging_tables
from lianxin.persistence.unit_of_work import UnitOfWork
from lianxin.telemetry import tracer


@pytest.fixture
async def store(database: str):
    metadata = MetaData()
    outbox, inbox, dead_letters = messaging_tables(metadata)
    engine = make_engine(database)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    sessions = make_session_factory(engine)
    yield sessions, outbox, inbox, dead_letters
    await engine.dispose()


@pytest.fixture
def uow(store) -> UnitOfWork:
    sessions, outbox, inbox, _ = store
    return UnitOfWork(sessions, source="/test", outbox=outbox, inbox=inbox)


@pytest.fixture
async def js(nats: str):
    nc = await connect(nats, "test")
    yield nc.jetstream()
    await nc.close()


def _department(code: str) -> DepartmentRegistered:
    return DepartmentRegistered(code=code, name=code, categories=["x"])


async def test_committed_events_are_published_once_with_their_id_and_marked_sent(
    store, js, uow
) -> None:
    sessions, outbox, _, _ = store
    with tracer.start_as_current_span("request") as request_span:
        async with uow:
            event_id = uow.emit(_department("police"))
            await uow.commit()
    async with uow:  # rolled back: never published
        uow.emit(_department("ghost"))

    relay = OutboxRelay(sessions, outbox, js)
    assert await relay.relay_once() == 1
    assert await relay.relay_once() == 0

    message = await js.get_last_msg("ORG", "org.department.registered")
    assert message.headers["Nats-Msg-Id"] == event_id
    trace_id = format(request_span.get_span_context().trace_id, "032x")
    assert message.headers["traceparent"].split("-")[1] == trace_id
    assert CloudEvent.model_validate_json(message.data).data["code"] == "police"
    assert (await js.stream_info("ORG")).state.messages == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count()).where(outbox.c.sent_at.is_(None))) == 0


async def test_a_publish_that_fails_is_recorded_on_its_row_until_a_later_one_succeeds(
    store, js, uow
) -> None:
    sessions, outbox, _, _ = store
    await js.delete_stream("ORG")  # nothing will ack the publish
    async with uow:
        first = uow.emit(_department("police"))
        uow.emit(_department("power"))
        await uow.commit()
    relay = OutboxRelay(sessions, outbox, js)
    for _ in range(2):
        with pytest.raises(Exception):  # noqa: B017 - no responders / timeout, by nats-py version
            await relay.relay_once()

    async with sessions() as session:
        status = await outbox_status(session, outbox)
    assert (status["unsent"], status["failing"]) == (2, 1)
    stuck, waiting = status["oldest_unsent"]
    # The first event took both attempts; the second waited behind it, untried.
    assert (stuck["event_id"], stuck["attempts"]) == (first, 2)
    assert stuck["last_error"] and "Error" in stuck["last_error"]
    assert (waiting["attempts"], waiting["last_error"]) == (0, None)

    await declare_stream(js, next(spec for spec in STREAMS if spec.name == "ORG"))
    assert await relay.relay_once() == 2
    async with sessions() as session:
        assert await outbox_status(session, outbox) == {
            "unsent": 0,
            "failing": 0,
            "oldest_unsent": [],
        }
        row = (await session.execute(select(outbox).where(outbox.c.event_id == first))).one()
    # Sent, and the history of how it got there stays on the row.
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == stuck["last_error"]
    assert (await js.stream_info("ORG")).state.messages == 2


async def test_an_event_published_before_an_outage_longer_than_the_window_is_not_stored_twice(
    store, js, uow, monkeypatch
) -> None:
    """Issue #17, 5: the relay published, then PostgreSQL went away before the row was marked
    sent, for longer than JetStream's duplicate window (2 s here)."""
    sessions, outbox, _, _ = store
    monkeypatch.setenv("LIANXIN_DUPLICATE_WINDOW", "2")
    await declare_stream(js, next(spec for spec in STREAMS if spec.name == "ORG"))
    assert (await js.stream_info("ORG")).config.duplicate_window == 2
    async with uow:
        published = uow.emit(_department("police"))
        never_published = uow.emit(_department("power"))  # NATS was down when it was written
        await uow.commit()
    async with sessions() as session:
        row = (await session.execute(select(outbox).where(outbox.c.event_id == published))).one()
    await publish_stored(js, row.subject, row.event)  # acked; the UPDATE never happened
    await asyncio.sleep(2.5)  # the stream has forgotten the id

    relay = OutboxRelay(sessions, outbox, js, duplicate_window_seconds=2)
    assert await relay.relay_once() == 2
    ids = [
        (await js.get_msg("ORG", seq)).headers["Nats-Msg-Id"]
        for seq in range(1, (await js.stream_info("ORG")).state.last_seq + 1)
    ]
    assert sorted(ids) == sorted([published, never_published])  # each once
    async with sessions() as session:
        assert await session.scalar(select(func.count()).where(outbox.c.sent_at.is_(None))) == 0


async def test_the_inbox_lets_each_event_through_once_per_consumer(uow) -> None:
    async with uow:
        assert await uow.first_time("a", "event-1")
        assert not await uow.first_time("a", "event-1")
        assert await uow.first_time("b", "event-1")
        await uow.commit()


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered(store, js, uow) -> None:
    sessions, outbox, _, dead_letters = store
    flaky = ConsumerSpec("ORG", "test_flaky", ("org.>",), max_deliver=3, backoff=(0.1, 0.1))
    dlq = ConsumerSpec(
        "DLQ",
        "test_dead_letters",
        (f"{MAX_DELIVERIES}.ORG.test_flaky", f"{TERMINATED}.ORG.test_flaky"),
    )
    await declare_consumer(js, flaky)
    await declare_consumer(js, dlq)
    assert flaky.config().ack_policy == AckPolicy.EXPLICIT
    attempts: list[str] = []

    async def always_fails(event: CloudEvent, data: EventData, subject: str) -> None:
        attempts.append(event.id)
        raise ConnectionError("department database is down")

    async with uow:
        uow.emit(_department("police"))
        await uow.commit()
    await OutboxRelay(sessions, outbox, js).relay_once()

    tasks = [
        asyncio.create_task(run_consumer(js, flaky, for_events(always_fails), wait=0.2)),
        asyncio.create_task(
            run_consumer(js, dlq, dead_letter_recorder(js, sessions, dead_letters), wait=0.2)
        ),
    ]
    try:
        for _ in range(100):
            async with sessions() as session:
                rows = (await session.execute(select(dead_letters))).all()
            if rows:
                break
            await asyncio.sleep(0.1)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert len(attempts) == 3 and len(set(attempts)) == 1
    [letter] = rows
    assert letter.consumer == "test_flaky" and letter.deliveries == 3
    assert "3 deliveries" in letter.reason
    assert json.loads(letter.payload)["data"]["code"] == "police"


def test_last_error_names_the_error_even_when_its_message_is_empty() -> None:
    assert error_text(TimeoutError()) == "TimeoutError"
    long = error_text(ConnectionError("x" * 5000))
    assert long.startswith("ConnectionError: xxx") and len(long) == 1000
