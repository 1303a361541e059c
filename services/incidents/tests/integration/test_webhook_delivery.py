"""Webhook deliveries on real PostgreSQL to a real HTTP receiver, on a clock the test moves."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from incidents.adapters.orm import metadata
from incidents.domain.webhooks import RETRY_SCHEDULE, SIGNATURE_HEADER, department_secret, verify
from incidents.service_layer.read_models import apply_org_event
from incidents.service_layer.webhooks import WebhookDispatcher, WebhooksUnitOfWork, queue_dispatch
from lianxin.contracts import incidents as contracts
from lianxin.contracts import new_event, org
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import upgrade
from lianxin.testing.webhook_receiver import Receiver, webhook_receiver

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PLATFORM_SECRET = "platform-secret-for-webhook-tests"


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
async def sessions(database: str) -> AsyncIterator:
    await asyncio.to_thread(upgrade, "incidents", database)
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
    event, data = dispatched("property")
    subject = data.nats_subject()
    assert await queue_dispatch(uow_factory(sessions)(), event, subject, NOW) == 1
    # JetStream redelivers: the same event is queued once.
    assert await queue_dispatch(uow_factory(sessions)(), event, subject, NOW) == 0

    clock = Clock()
    dispatcher = WebhookDispatcher(uow_factory(sessions), PLATFORM_SECRET, clock=clock)
    # (seconds after the whistle, deliveries attempted then): due at 0, 0+10, 10+30.
    steps = [(0, 1), (0, 0), (9, 0), (10, 1), (39, 0), (40, 1), (40 + 3600, 0)]
    for seconds, attempted in steps:
        clock.now = NOW + timedelta(seconds=seconds)
        assert await dispatcher.deliver_due() == attempted, f"at +{seconds}s"

    line = await entry(sessions, "property")
    assert line.delivery.status.value == "delivered" and line.assignment_id == data.assignment_id
    assert line.delivery.delivered_at == NOW + timedelta(seconds=40)
    assert [(a.number, a.at - NOW, a.status_code) for a in line.attempts] == [
        (1, timedelta(0), 500),
        (2, timedelta(seconds=10), 500),
        (3, timedelta(seconds=40), 200),
    ]
    assert line.attempts[0].error == "no"

    secret = department_secret(PLATFORM_SECRET, "property")
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
    # Another department's secret does not verify the same body.
    headers, body = receiver.received[-1]
    with pytest.raises(ValueError):
        verify(department_secret(PLATFORM_SECRET, "police"), body, headers[SIGNATURE_HEADER], t)


async def test_a_receiver_that_never_answers_ends_dead_after_the_schedule_with_every_attempt_logged(
    sessions,
) -> None:
    await register(sessions, "property", [{"kind": "webhook", "url": refused_url()}])
    event, data = dispatched("property")
    await queue_dispatch(uow_factory(sessions)(), event, data.nats_subject(), NOW)

    clock = Clock()
    dispatcher = WebhookDispatcher(uow_factory(sessions), PLATFORM_SECRET, clock=clock)
    expected_at = [NOW]
    for wait in RETRY_SCHEDULE:
        expected_at.append(expected_at[-1] + wait)
    for at in expected_at:
        clock.now = at - timedelta(seconds=1)
        assert await dispatcher.deliver_due() == 0, "attempted before it was due"
        clock.now = at
        assert await dispatcher.deliver_due() == 1
    clock.now = expected_at[-1] + timedelta(days=30)
    assert await dispatcher.deliver_due() == 0

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
    uow = uow_factory(sessions)
    event, data = dispatched("power_supply")
    assert await queue_dispatch(uow(), event, data.nats_subject(), NOW) == 0
    event, data = dispatched("property")
    assert await queue_dispatch(uow(), event, data.nats_subject(), NOW) == 2
    event, data = dispatched("unknown_department")
    assert await queue_dispatch(uow(), event, data.nats_subject(), NOW) == 0

    clock = Clock()
    assert await WebhookDispatcher(uow, PLATFORM_SECRET, clock=clock).deliver_due() == 2
    assert sorted(h["X-Lianxin-Delivery"] for h, _ in receiver.received) == sorted(
        str(line.delivery.id) for line in await _all(sessions, "property")
    )


async def _all(sessions, code: str):
    async with uow_factory(sessions)() as uow:
        return await uow.webhooks.log(code, None, 10)
