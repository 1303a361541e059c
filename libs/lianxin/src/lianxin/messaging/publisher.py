"""Publishing a CloudEvent to JetStream: `Nats-Msg-Id` for de-duplication, W3C trace headers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, PubAck

from lianxin.contracts import CloudEvent
from lianxin.telemetry import current_trace_headers


async def publish(js: JetStreamContext, subject: str, event: CloudEvent) -> PubAck:
    """Publish and wait for the stream's ack. A duplicate ack (same id) is success too."""
    headers = {"Nats-Msg-Id": event.id, **current_trace_headers()}
    return await js.publish(subject, event.model_dump_json().encode(), headers=headers)


async def publish_stored(js: JetStreamContext, subject: str, event: dict) -> PubAck:
    """`publish` for an envelope already dumped to JSON-ready data (an outbox row's)."""
    headers = {"Nats-Msg-Id": event["id"], **current_trace_headers()}
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    return await js.publish(subject, body, headers=headers)


# How far before the row's `created_at` (PostgreSQL's clock) a look-up starts in the stream
# (NATS's clock): room for the two clocks to disagree.
CLOCK_SKEW = timedelta(minutes=5)


async def ids_in_stream(js: JetStreamContext, subject: str, since: datetime) -> set[str]:
    """The `Nats-Msg-Id`s of the messages stored on `subject` since `since`: what the outbox
    relay checks before it publishes a row again once JetStream's duplicate window may be over.

    Read through a short-lived consumer of that subject alone, from that time (no ack, in
    memory, deleted at the end): as many messages as the subject received since then."""
    stream = await js.find_stream_name_by_subject(subject)
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_TIME,
        opt_start_time=(since - CLOCK_SKEW).isoformat(),
        ack_policy=AckPolicy.NONE,
        mem_storage=True,
        inactive_threshold=30.0,
    )
    subscription = await js.pull_subscribe(subject, stream=stream, config=config)
    seen: set[str] = set()
    try:
        while True:
            try:
                messages = await subscription.fetch(256, timeout=1.0)
            except (NatsTimeout, TimeoutError):
                return seen  # nothing (more) on the subject
            seen |= {(m.headers or {}).get("Nats-Msg-Id", "") for m in messages}
            if messages[-1].metadata.num_pending == 0:
                return seen
    finally:
        await subscription.unsubscribe()
