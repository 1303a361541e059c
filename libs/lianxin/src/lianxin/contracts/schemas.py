"""JSON Schemas and an AsyncAPI 3 document (see `asyncapi.py`), generated from the contracts into
`docs/contracts/`.

    uv run python -m lianxin.contracts.schemas          # write them
    uv run python -m lianxin.contracts.schemas --check  # fail if the committed ones drifted

A test runs the check, so a contract change without its documents fails CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lianxin.contracts.asyncapi import asyncapi, subject_matches
from lianxin.contracts.envelope import CloudEvent, EventData, schema_uri
from lianxin.contracts.registry import EVENT_TYPES

__all__ = ["DOCS", "asyncapi", "documents", "drift", "event_schema", "subject_matches", "write"]

DOCS = Path(__file__).resolve().parents[5] / "docs" / "contracts"


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
