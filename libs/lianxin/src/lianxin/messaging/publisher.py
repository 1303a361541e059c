"""Publishing a CloudEvent to JetStream: `Nats-Msg-Id` for de-duplication, W3C trace headers."""

from __future__ import annotations

import json

from nats.js import JetStreamContext
from nats.js.api import PubAck

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
