"""JSON Schemas and an AsyncAPI 3 document, generated from the contracts into `docs/contracts/`.

    uv run python -m lianxin.contracts.schemas          # write them
    uv run python -m lianxin.contracts.schemas --check  # fail if the committed ones drifted

A test runs the check, so a contract change without its documents fails CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lianxin.contracts.envelope import CloudEvent, EventData, schema_uri
from lianxin.contracts.registry import EVENT_TYPES
from lianxin.messaging.streams import SERVICE_CONSUMERS, STREAMS, department_consumer

DOCS = Path(__file__).resolve().parents[5] / "docs" / "contracts"

# Which service publishes each context's events (departments publish `report.*`).
SENDERS = {
    "org": "organisation",
    "incidents": "incidents",
    "departments": "department",
    "resources": "resources",
    "volunteers": "volunteers",
}


def event_schema(model: type[EventData]) -> dict[str, Any]:
    """The whole CloudEvent as it travels, with this type's payload in `data`."""
    schema = CloudEvent.model_json_schema()
    data = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = schema_uri(model.TYPE)
    schema["title"] = model.TYPE
    schema["description"] = (model.__doc__ or "").strip() or model.TYPE
    schema["properties"]["type"] = {"const": model.TYPE}
    schema["properties"]["dataschema"] = {"const": schema_uri(model.TYPE)}
    schema.setdefault("$defs", {}).update(data.pop("$defs", {}))
    schema["properties"]["data"] = data
    return schema


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching: `*` one token, `>` the rest. Templated tokens match `*`."""
    want, have = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(have) > i
        if i >= len(have) or (token not in ("*", have[i]) and not have[i].startswith("{")):
            return False
    return len(want) == len(have)


def _stream_of(subject: str) -> str:
    return next(s.name for s in STREAMS if any(subject_matches(p, subject) for p in s.subjects))


def _receivers(subject: str) -> list[str]:
    found = [
        f"{service} ({spec.durable})"
        for service, specs in SERVICE_CONSUMERS.items()
        for spec in specs
        if any(subject_matches(p, subject) for p in spec.filter_subjects)
    ]
    if subject.startswith("dispatch."):
        found.append(f"department ({department_consumer('{department_code}').durable})")
    return found


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in sorted(EVENT_TYPES.items()):
        name = model.__name__
        address = model.SUBJECT
        params = [t.strip("{}") for t in address.split(".") if t.startswith("{")]
        messages[name] = {
            "name": name,
            "title": event_type,
            "summary": (model.__doc__ or "").strip() or event_type,
            "contentType": "application/cloudevents+json",
            "headers": {
                "type": "object",
                "properties": {
                    "Nats-Msg-Id": {"type": "string", "description": "= the event id"},
                    "traceparent": {"type": "string", "description": "W3C trace context"},
                },
            },
            "payload": {"$ref": f"events/{event_type}.json"},
        }
        channels[name] = {
            "address": address,
            "description": f"stream {_stream_of(address)}",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            **({"parameters": {p: {"description": p} for p in params}} if params else {}),
        }
        sender = SENDERS[event_type.split(".")[2]]
        operations[f"{sender}Sends{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"{sender} publishes",
        }
        for receiver in _receivers(address):
            key = receiver.split(" ")[0] + "Receives" + name
            operations[key] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{name}"},
                "summary": receiver,
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Lianxin events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 (structured JSON) on NATS JetStream. Streams: "
            + ", ".join(f"{s.name} ({' '.join(s.subjects)})" for s in STREAMS),
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"dev": {"host": "127.0.0.1:4222", "protocol": "nats"}},
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {"messages": messages},
    }


def documents() -> dict[str, str]:
    """Relative path under docs/contracts → file content."""
    docs = {
        f"events/{event_type}.json": _dump(event_schema(model))
        for event_type, model in EVENT_TYPES.items()
    }
    docs["asyncapi.json"] = _dump(asyncapi())
    return docs


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def drift(root: Path = DOCS) -> list[str]:
    """Paths whose committed content differs from what the contracts generate."""
    wanted = documents()
    stale = [
        p for p, text in wanted.items() if not (root / p).exists() or (root / p).read_text() != text
    ]
    extra = [
        str(p.relative_to(root))
        for p in root.rglob("*.json")
        if str(p.relative_to(root)) not in wanted
    ]
    return sorted(stale + extra)


def write(root: Path = DOCS) -> None:
    for path in root.rglob("*.json"):
        path.unlink()
    for relative, text in documents().items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)


if __name__ == "__main__":
    if "--check" in sys.argv:
        stale = drift()
        if stale:
            sys.exit("contracts drifted, run `make contracts`: " + ", ".join(stale))
    else:
        write()
