"""The AsyncAPI 3 document, from the same registry as the JSON Schemas (`EVENT_TYPES`) and the
one declaration of streams and consumers (`lianxin.messaging.streams`).

Every event type is one channel on the subject it really travels on, with one message. Who sends
it comes from its context (`SENDERS`); who receives it from the durable consumers whose filters
match the subject. Departments are senders and receivers like the services: they receive on
`dispatch.{department_code}.…` (pulling from their consumer `dept_<code>`) and send on
`report.{department_code}.…`, the only subjects their NATS user may publish to
(`nats_accounts.department_permissions`). The DLQ stream's messages are the NATS server's own
advisories, described as one more channel.
"""

from __future__ import annotations

from typing import Any

from lianxin.contracts.envelope import EventData
from lianxin.contracts.registry import EVENT_TYPES
from lianxin.messaging.streams import (
    MAX_DELIVERIES,
    SERVICE_CONSUMERS,
    STREAMS,
    TERMINATED,
    dead_letter_consumer,
    department_consumer,
)

VERSION = "3.1.0"

# Which party publishes each context's events (departments publish `report.*`).
SENDERS = {
    "org": "organisation",
    "incidents": "incidents",
    "departments": "department",
    "resources": "resources",
    "volunteers": "volunteers",
}

PARAMETERS = {
    "department_code": "The department's code: its NATS user `dept_<code>` pulls whistles from "
    "the consumer `dept_<code>` and may publish only to `report.<code>.>`.",
    "advisory": "MAX_DELIVERIES or MSG_TERMINATED",
    "stream": "The stream of the message that failed",
    "consumer": "The durable consumer that gave up on it",
}

HEADERS = {
    "type": "object",
    "required": ["Nats-Msg-Id"],
    "properties": {
        "Nats-Msg-Id": {
            "type": "string",
            "description": "= the CloudEvent `id`: JetStream drops a copy published again "
            "within the stream's duplicate window (2 min)",
        },
        "traceparent": {
            "type": "string",
            "description": "W3C trace context of the span that published the event (the "
            "envelope's `traceparent` names the trace the event belongs to)",
        },
        "tracestate": {"type": "string", "description": "W3C trace state, when there is one"},
    },
}

ADVISORY = {
    "name": "ConsumerAdvisory",
    "title": "JetStream consumer advisory",
    "summary": "The NATS server's advisory that a consumer gave up on a message (max "
    "deliveries reached, or terminated by the handler). Stored in DLQ; each service turns its "
    "own into a dead letter (`GET /ops/dead-letters`).",
    "contentType": "application/json",
    "payload": {
        "type": "object",
        "required": ["type", "stream", "consumer", "stream_seq"],
        "properties": {
            "type": {"type": "string", "description": "io.nats.jetstream.advisory.v1.…"},
            "stream": {"type": "string"},
            "consumer": {"type": "string"},
            "stream_seq": {"type": "integer"},
            "deliveries": {"type": "integer"},
            "reason": {"type": "string"},
        },
    },
}


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching: `*` one token, `>` the rest. Templated tokens match `*`."""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token not in ("*", have[i]) and not have[i].startswith("{")):
            return False
    return len(want) == len(have)


def _receivers(subject: str) -> list[tuple[str, str]]:
    """(receiver, durable consumer) of each consumer whose filters match `subject`."""
    found = [
        (service, spec.durable)
        for service, specs in SERVICE_CONSUMERS.items()
        for spec in specs
        if any(subject_matches(p, subject) for p in spec.filter_subjects)
    ]
    if subject.startswith("dispatch."):
        found.append(("department", department_consumer("{department_code}").durable))
    return found


def _stream_of(subject: str) -> str:
    return next(s.name for s in STREAMS if any(subject_matches(p, subject) for p in s.subjects))


def _message(event_type: str, model: type[EventData]) -> dict[str, Any]:
    return {
        "name": model.__name__,
        "title": event_type,
        "summary": (model.__doc__ or "").strip() or event_type,
        "contentType": "application/cloudevents+json",
        "correlationId": {
            "description": "The escalation or request that started it (the `correlationid` "
            "extension)",
            "location": "$message.payload#/correlationid",
        },
        "headers": HEADERS,
        "payload": {"$ref": f"events/{event_type}.json"},
    }


def _channel(address: str, name: str) -> dict[str, Any]:
    params = [t.strip("{}") for t in address.split(".") if t.startswith("{")]
    channel: dict[str, Any] = {
        "address": address,
        "description": f"stream {_stream_of(address)}",
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
    }
    if params:
        channel["parameters"] = {p: {"description": PARAMETERS[p]} for p in params}
    return channel


def _send_summary(sender: str, address: str) -> str:
    if sender == "department":
        return "a department's system publishes (js.publish, waiting for the REPORTS ack)"
    return f"{sender} publishes from its transactional outbox"


def _operations(name: str, sender: str, address: str) -> dict[str, Any]:
    channel = {"$ref": f"#/channels/{name}"}
    operations = {
        f"{sender}Sends{name}": {
            "action": "send",
            "channel": channel,
            "summary": _send_summary(sender, address),
        }
    }
    for receiver, durable in _receivers(address):
        operations[f"{receiver}Receives{name}"] = {
            "action": "receive",
            "channel": channel,
            "summary": f"{receiver} pulls from the durable consumer {durable}",
        }
    return operations


def _dead_letters(channels: dict, operations: dict, messages: dict) -> None:
    name = ADVISORY["name"]
    messages[name] = ADVISORY
    address = "$JS.EVENT.ADVISORY.CONSUMER.{advisory}.{stream}.{consumer}"
    channels[name] = {
        "address": address,
        "description": f"stream DLQ ({MAX_DELIVERIES}.> and {TERMINATED}.>), published by "
        "the NATS server",
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        "parameters": {
            p: {"description": PARAMETERS[p]} for p in ("advisory", "stream", "consumer")
        },
    }
    for service in SERVICE_CONSUMERS:
        if spec := dead_letter_consumer(service):
            operations[f"{service}ReceivesConsumerAdvisory"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{name}"},
                "summary": f"{service} pulls its own consumers' advisories from {spec.durable}",
            }


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in sorted(EVENT_TYPES.items()):
        name, address = model.__name__, model.SUBJECT
        messages[name] = _message(event_type, model)
        channels[name] = _channel(address, name)
        operations |= _operations(name, SENDERS[event_type.split(".")[2]], address)
    _dead_letters(channels, operations, messages)
    return {
        "asyncapi": VERSION,
        "info": {
            "title": "Lianxin events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (structured JSON) on NATS JetStream. Streams: "
            + ", ".join(f"{s.name} ({' '.join(s.subjects)})" for s in STREAMS)
            + ". Departments: see docs/departments.md.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"dev": {"host": "127.0.0.1:4222", "protocol": "nats"}},
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {"messages": messages},
    }
