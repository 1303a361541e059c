"""Webhook deliveries on real PostgreSQL to a real HTTP receiver, on a clock the test moves."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest
from cryptography.fernet import Fernet

from incidents.adapters.orm import metadata
from incidents.adapters.webhook_keys import KeyCipher
from incidents.adapters.webhooks import WebhookClient
from incidents.domain.webhooks import RETRY_SCHEDULE, SIGNATURE_HEADER, verify
from incidents.service_layer import webhook_keys
from incidents.service_layer.read_models import apply_org_event
from incidents.service_layer.webhooks import (
    NO_KEY,
    WebhookDispatcher,
    WebhooksUnitOfWork,
    queue_dispatch,
)
from lianxin.contracts import incidents as contracts
from lianxin.contracts import new_event, org
from lianxin.errors import Conflict
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.testing.webhook_receiver import Receiver, webhook_receiver

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
CIPHER = KeyCipher(Fernet.generate_key().decode())
OVERLAP = timedelta(hours=24)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def refused_url() -> str:
    """A URL on which nothing listens: every attempt is a connection error."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def sessions(migrated_database) -> AsyncIterator:
    database = await migrated_database("incidents")
    engine = make_engine(database)
    yield make_session_factory(engine)
    await engine.dispose()


def uow_factory(sessions):
    return lambda: WebhooksUnitOfWork(
        sessions,
        source="/lianxin/incidents",
        outbox=metadata.tables["outbox"],
        inbox=metadata.tables["inbox"],
    )


async def register(sessions, code: str, channels: list[dict]) -> None:
    department = org.DepartmentRegistered(
        code=code, name=code, categories=["property_management"], channels=channels
    )
    await apply_org_event(uow_factory(sessions)(), department)


async def issue(sessions, code: str, at: datetime = NOW) -> str:
    """The department's next signing key, as `POST /departments/<code>/webhook-keys` shows it."""
    issued = await webhook_keys.rotate(uow_factory(sessions)(), code, CIPHER, OVERLAP, at)
    return issued.secret


def dispatcher(sessions, clock) -> WebhookDispatcher:
    # The tests' receivers listen on 127.0.0.1: allowed here, as in development.
    client = WebhookClient(allow_private=True)
    return WebhookDispatcher(uow_factory(sessions), CIPHER, client=client, clock=clock)


def dispatched(department_code: str):
    data = contracts.AssignmentDispatched(
        assignment_id=uuid4(),
        incident_id=uuid4(),
        department_code=department_code,
        lead=False,
        community_code="taipingjie",
        micro_grid_code="tpj-g01-m01",
        category="power_supply",
        urgency="emergency",
        description="朝华新城变压器故障",
        affected_households=288,
        dispatched_at=NOW,
        acknowledge_by=NOW + timedelta(minutes=30),
        resolve_by=NOW + timedelta(hours=2),
    )
    return new_event(data, source="/lianxin/incidents", community="taipingjie"), data


async def entry(sessions, code: str):
    async with uow_factory(sessions)() as uow:
        [line] = await uow.webhooks.log(code, None, 10)
    return line


async def test_a_failing_receiver_is_retried_by_the_schedule_and_every_signature_verifies(
    sessions, receiver: Receiver
) -> None:
    receiver.answers = [500, 500, 200]
    await register(sessions, "property", [{"kind": "webhook", "url": receiver.url}])
    await register(sessions, "police", [{"kind": "webhook", "url": receiver.url}])
    secret = await issue(sessions, "property")
    police = await issue(sessions, "police")
    event, data = dispatched("property")
    subject = data.nats_subject()
    assert await queue_dispatch(uow_factory(sessions)(), event, subject, NOW) == 1
    # JetStream redelivers: the same event is queued once.
    assert await queue_dispatch(uow_factory(sessions)(), event, subject, NOW) == 0

    clock = Clock()
    dispatcher_ = dispatcher(sessions, clock)
    # (seconds after the whistle, deliveries attempted then): due at 0, 0+10, 10+30.
    steps = [(0, 1), (0, 0), (9, 0), (10, 1), (39, 0), (40, 1), (40 + 3600, 0)]
    for seconds, attempted in steps:
        clock.now = NOW + timedelta(seconds=seconds)
        assert await dispatcher_.deliver_due() == attempted, f"at +{seconds}s"

    line = await entry(sessions, "property")
    assert line.delivery.status.value == "delivered" and line.assignment_id == data.assignment_id
    assert line.delivery.delivered_at == NOW + timedelta(seconds=40)
    assert [(a.number, a.at - NOW, a.status_code) for a in line.attempts] == [
        (1, timedelta(0), 500),
        (2, timedelta(seconds=10), 500),
        (3, timedelta(seconds=40), 200),
    ]
    assert line.attempts[0].error == "no"

    assert len(receiver.received) == 3
    sent_at = [0, 10, 40]
    for (headers, body), seconds in zip(receiver.received, sent_at, strict=True):
        t = int((NOW + timedelta(seconds=seconds)).timestamp())
        assert verify(secret, body, headers[SIGNATURE_HEADER], now=t) == t
        assert headers["X-Lianxin-Delivery"] == str(line.delivery.id)
        assert headers["Content-Type"].startswith("application/cloudevents+json")
        sent = json.loads(body)
        assert (sent["id"], sent["type"]) == (event.id, contracts.AssignmentDispatched.TYPE)
        assert sent["data"]["assignment_id"] == str(data.assignment_id)
    assert [h["X-Lianxin-Attempt"] for h, _ in receiver.received] == ["1", "2", "3"]
    # Another department's key does not verify the same body.
    headers, body = receiver.received[-1]
    with pytest.raises(ValueError):
        verify(police, body, headers[SIGNATURE_HEADER], t)


async def test_a_receiver_that_never_answers_ends_dead_after_the_schedule_with_every_attempt_logged(
    sessions,
) -> None:
    await register(sessions, "property", [{"kind": "webhook", "url": refused_url()}])
    await issue(sessions, "property")
    event, data = dispatched("property")
    await queue_dispatch(uow_factory(sessions)(), event, data.nats_subject(), NOW)

    clock = Clock()
    dispatcher_ = dispatcher(sessions, clock)
    expected_at = [NOW]
    for wait in RETRY_SCHEDULE:
        expected_at.append(expected_at[-1] + wait)
    for at in expected_at:
        clock.now = at - timedelta(seconds=1)
        assert await dispatcher_.deliver_due() == 0, "attempted before it was due"
        clock.now = at
        assert await dispatcher_.deliver_due() == 1
    clock.now = expected_at[-1] + timedelta(days=30)
    assert await dispatcher_.deliver_due() == 0

    line = await entry(sessions, "property")
    assert line.delivery.status.value == "dead" and line.delivery.next_attempt_at is None
    assert [a.at for a in line.attempts] == expected_at
    assert [a.number for a in line.attempts] == [1, 2, 3, 4, 5, 6, 7]
    assert all(a.status_code is None and "ConnectError" in a.error for a in line.attempts)
    assert line.delivery.last_error == line.attempts[-1].error


async def test_only_departments_with_a_webhook_channel_get_deliveries_one_per_url(
    sessions, receiver: Receiver
) -> None:
    await register(sessions, "power_supply", [{"kind": "nats"}])
    await register(
        sessions,
        "property",
        [
            {"kind": "webhook", "url": receiver.url},
            {"kind": "webhook", "url": receiver.url + "/backup"},
            {"kind": "webhook", "url": receiver.url},
            {"kind": "open311", "service_code": "property_management"},
        ],
    )
    await issue(sessions, "property")
    uow = uow_factory(sessions)
    event, data = dispatched("power_supply")
    assert await queue_dispatch(uow(), event, data.nats_subject(), NOW) == 0
    event, data = dispatched("property")
    assert await queue_dispatch(uow(), event, data.nats_subject(), NOW) == 2
    event, data = dispatched("unknown_department")
    assert await queue_dispatch(uow(), event, data.nats_subject(), NOW) == 0

    clock = Clock()
    assert await dispatcher(sessions, clock).deliver_due() == 2
    assert sorted(h["X-Lianxin-Delivery"] for h, _ in receiver.received) == sorted(
        str(line.delivery.id) for line in await _all(sessions, "property")
    )


async def _all(sessions, code: str):
    async with uow_factory(sessions)() as uow:
        return await uow.webhooks.log(code, None, 10)


async def test_a_rotated_key_signs_beside_the_new_one_for_the_overlap_then_stops(
    sessions, receiver: Receiver, database: str
) -> None:
    await register(sessions, "property", [{"kind": "webhook", "url": receiver.url}])
    old = await issue(sessions, "property")
    new = await issue(sessions, "property", NOW + timedelta(minutes=1))
    assert new != old
    clock = Clock()
    for at in (NOW + timedelta(hours=1), NOW + timedelta(hours=25)):
        clock.now = at
        event, data = dispatched("property")
        await queue_dispatch(uow_factory(sessions)(), event, data.nats_subject(), at)
        assert await dispatcher(sessions, clock).deliver_due() == 1

    (during, body_during), (after, body_after) = receiver.received
    t_during = int((NOW + timedelta(hours=1)).timestamp())
    t_after = int((NOW + timedelta(hours=25)).timestamp())
    assert during[SIGNATURE_HEADER].count("v1=") == 2, "newest first, then the old one"
    for key in (old, new):
        assert verify(key, body_during, during[SIGNATURE_HEADER], now=t_during) == t_during
    assert after[SIGNATURE_HEADER].count("v1=") == 1, "the overlap is over"
    assert verify(new, body_after, after[SIGNATURE_HEADER], now=t_after) == t_after
    with pytest.raises(ValueError):
        verify(old, body_after, after[SIGNATURE_HEADER], now=t_after)
    # Encrypted at rest: the table holds no key in the clear.
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        stored = [r["ciphertext"] for r in await conn.fetch("SELECT ciphertext FROM webhook_keys")]
    finally:
        await conn.close()
    assert len(stored) == 2 and not {old, new} & set(stored)
    assert {CIPHER.decrypt(c) for c in stored} == {old, new}


async def test_nothing_is_sent_unsigned_nor_to_a_retired_department(
    sessions, receiver: Receiver
) -> None:
    await register(sessions, "property", [{"kind": "webhook", "url": receiver.url}])
    clock = Clock()
    event, data = dispatched("property")
    await queue_dispatch(uow_factory(sessions)(), event, data.nats_subject(), NOW)

    assert await dispatcher(sessions, clock).deliver_due() == 1
    assert receiver.received == [], "no key issued yet: nothing goes out"
    assert (await entry(sessions, "property")).attempts[0].error == NO_KEY

    await issue(sessions, "property")
    retired = org.DepartmentRetired(
        code="property",
        name="property",
        categories=["property_management"],
        channels=[{"kind": "webhook", "url": receiver.url}],
        retired_at=NOW,
        version=2,  # after its registration: the read model takes newer versions only
    )
    await apply_org_event(uow_factory(sessions)(), retired)
    clock.now = NOW + RETRY_SCHEDULE[0]
    assert await dispatcher(sessions, clock).deliver_due() == 1
    assert receiver.received == [], "a retired department's webhook stops with its keys"
    with pytest.raises(Conflict, match="retired"):
        await issue(sessions, "property")


async def test_a_delivery_checks_the_address_it_connects_to(sessions, receiver: Receiver) -> None:
    # Registered while allowed (or before its DNS changed): the delivery checks again.
    await register(sessions, "property", [{"kind": "webhook", "url": receiver.url}])
    await issue(sessions, "property")
    event, data = dispatched("property")
    await queue_dispatch(uow_factory(sessions)(), event, data.nats_subject(), NOW)
    strict = WebhookDispatcher(uow_factory(sessions), CIPHER, client=WebhookClient(), clock=Clock())

    assert await strict.deliver_due() == 1

    assert receiver.received == []
    [attempt] = (await entry(sessions, "property")).attempts
    assert attempt.status_code is None and attempt.error.startswith("refused: a webhook URL")
