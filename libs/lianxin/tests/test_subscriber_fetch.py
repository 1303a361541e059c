"""An empty fetch is no failure, whichever timeout nats-py raises for it."""

from __future__ import annotations

import asyncio
import logging

import pytest
from nats.errors import TimeoutError as NatsTimeout

from lianxin.messaging.streams import ConsumerSpec
from lianxin.messaging.subscriber import run_consumer


class _EmptyThenStop:
    """A pull subscription with nothing to deliver: the timeouts nats-py raises, then a stop."""

    def __init__(self) -> None:
        self.fetches = 0

    async def fetch(self, batch: int, timeout: float):  # noqa: ASYNC109 - nats-py's signature
        self.fetches += 1
        if self.fetches == 1:
            raise TimeoutError  # asyncio's bare one: a batch fetch's deadline ran out between polls
        if self.fetches == 2:
            raise NatsTimeout
        raise asyncio.CancelledError  # how a consumer stops


class _JetStream:
    def __init__(self, subscription: _EmptyThenStop) -> None:
        self.subscription = subscription

    async def pull_subscribe_bind(self, durable: str, stream: str) -> _EmptyThenStop:
        return self.subscription


async def test_an_empty_fetch_is_fetched_again_at_once_without_a_warning(caplog) -> None:
    subscription = _EmptyThenStop()
    spec = ConsumerSpec("INCIDENTS", "test_durable", ("incidents.>",))

    async def never_called(msg) -> None:
        raise AssertionError("no message was delivered")

    with (
        caplog.at_level(logging.WARNING, "lianxin.messaging.subscriber"),
        pytest.raises(asyncio.CancelledError),
    ):
        await run_consumer(_JetStream(subscription), spec, never_called)  # type: ignore[arg-type]

    assert subscription.fetches == 3
    assert not [r for r in caplog.records if "failed" in r.getMessage()]
