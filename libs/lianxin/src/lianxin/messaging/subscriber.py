"""Running a handler on a declared durable pull consumer, with explicit ack semantics.

- success: ack;
- `InvalidEvent` (bad JSON, unknown type, payload off contract) or `Rejected`: terminate with the
  reason, so the JetStream advisory feeds the dead-letter table;
- anything else is transient: nak with the consumer's backoff delay until `max_deliver`, after
  which the max-deliveries advisory feeds the dead-letter table;
- `NotYet` (an earlier message it depends on is not applied, see `lianxin.messaging.order`): nak
  with the backoff delay too, and on the last delivery terminate with that reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from lianxin.contracts import CloudEvent, EventData, InvalidEvent, parse_data
from lianxin.messaging.streams import ConsumerSpec
from lianxin.telemetry import consumer_span, meter

log = logging.getLogger(__name__)

handler_seconds = meter.create_histogram(
    "lianxin_handler_duration", unit="s", description="time to handle one message"
)
consumer_pending = {}


def _observe_pending(_options):
    from opentelemetry.metrics import Observation

    return [Observation(n, {"consumer": durable}) for durable, n in consumer_pending.items()]


meter.create_observable_gauge(
    "lianxin_consumer_pending",
    callbacks=[_observe_pending],
    description="messages the durable consumer has not yet delivered (consumer lag)",
)


class Rejected(Exception):
    """The message is well formed but can never be applied: terminate it with this reason."""


class NotYet(Exception):
    """The message must wait for another one to be applied first: redeliver it later."""


EventHandler = Callable[[CloudEvent, EventData, str], Awaitable[None]]
MessageHandler = Callable[[Msg], Awaitable[None]]


@runtime_checkable
class SeesBatches(Protocol):
    """A handler told each fetched batch before any of it is handled (an `in_order` one)."""

    async def __call__(self, msg: Msg) -> None: ...

    def fetched(self, messages: list[Msg]) -> None: ...


async def terminate(msg: Msg, reason: str) -> None:
    # "+TERM <reason>": the server puts the reason in its terminated advisory.
    await msg._client.publish(msg.reply, b"+TERM " + reason.encode()[:1024])


def for_events(handler: EventHandler) -> MessageHandler:
    """Decode the CloudEvent and its typed payload, then call `handler(event, data, subject)`."""

    async def on_message(msg: Msg) -> None:
        event = CloudEvent.from_bytes(msg.data)
        data = parse_data(event)
        trace.get_current_span().set_attribute(
            "messaging.message.conversation_id", event.correlationid or ""
        )
        await handler(event, data, msg.subject)

    return on_message


async def handle_message(spec: ConsumerSpec, on_message: MessageHandler, msg: Msg) -> None:
    headers = msg.headers or {}
    message_id = headers.get("Nats-Msg-Id", "")
    started = time.perf_counter()
    with consumer_span(msg.subject, message_id, None, spec.durable, headers) as span:
        try:
            await on_message(msg)
        except (InvalidEvent, Rejected) as exc:
            span.set_status(Status(StatusCode.ERROR, str(exc)))
            log.warning("terminating %s on %s: %s", message_id, spec.durable, exc)
            await terminate(msg, str(exc))
        except NotYet as waiting:
            delivered = msg.metadata.num_delivered
            if delivered >= spec.max_deliver:
                log.warning("terminating %s on %s: %s", message_id, spec.durable, waiting)
                await terminate(msg, f"{waiting} after {delivered} deliveries")
            else:
                delay = spec.redelivery_delay(delivered)
                log.info("%s on %s waits %ss: %s", message_id, spec.durable, delay, waiting)
                await msg.nak(delay=delay)
        except Exception as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, repr(exc)))
            delay = spec.redelivery_delay(msg.metadata.num_delivered)
            log.exception("handler failed on %s; redelivery in %ss", spec.durable, delay)
            await msg.nak(delay=delay)
        else:
            await msg.ack()
    handler_seconds.record(time.perf_counter() - started, {"consumer": spec.durable})


async def run_consumer(
    js: JetStreamContext,
    spec: ConsumerSpec,
    on_message: MessageHandler,
    *,
    batch: int = 20,
    wait: float = 1.0,
) -> None:
    """Pull from a declared durable consumer forever (until cancelled). A handler that
    `SeesBatches` is told each batch before any of it is handled."""
    subscription = await js.pull_subscribe_bind(spec.durable, stream=spec.stream)
    fetched = on_message.fetched if isinstance(on_message, SeesBatches) else None
    while True:
        try:
            messages = await subscription.fetch(batch, timeout=wait)
        except TimeoutError:
            # nats-py's own timeout, or on one path of a batch fetch asyncio's bare one: both
            # mean nothing arrived, no failure worth a warning and a pause.
            continue
        except (ConnectionClosedError, asyncio.CancelledError):
            raise
        except Exception as exc:  # disconnected, server restarting: keep trying
            log.warning("fetch from %s failed: %s", spec.durable, exc)
            await asyncio.sleep(0.5)
            continue
        if fetched is not None:
            fetched(messages)
        if spec.concurrent and len(messages) > 1:
            await asyncio.gather(
                *(_handle_in_order(spec, on_message, lane) for lane in lanes(messages).values())
            )
        else:
            await _handle_in_order(spec, on_message, messages)


def lanes(messages: list[Msg]) -> dict[str, list[Msg]]:
    """The batch by aggregate (the CloudEvent's `subject`), each in the order fetched. A message
    that is not a CloudEvent goes in a lane of its own: its handler will terminate it."""
    by_aggregate: dict[str, list[Msg]] = {}
    for n, msg in enumerate(messages):
        try:
            key = str(json.loads(msg.data)["subject"])
        except (ValueError, KeyError, TypeError):
            key = f"#{n}"
        by_aggregate.setdefault(key, []).append(msg)
    return by_aggregate


async def _handle_in_order(spec: ConsumerSpec, on_message: MessageHandler, messages) -> None:
    for msg in messages:
        await handle_message(spec, on_message, msg)
        consumer_pending[spec.durable] = msg.metadata.num_pending
