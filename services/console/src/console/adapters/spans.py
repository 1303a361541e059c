"""Reading one trace's spans back from the JSON-lines files of the embedded default.

Every process appends its finished spans to `<spans dir>/<service>.jsonl` (see
`lianxin.telemetry.JsonLinesSpanExporter`); a trace is every line with its trace id, whichever
file it is in. With an OTLP collector instead, the console links to Jaeger.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def spans_dir() -> Path | None:
    """`LIANXIN_SPANS_DIR`, else the folder the console's own spans file is in (the platform
    gives every process a file in the same folder)."""
    if explicit := os.environ.get("LIANXIN_SPANS_DIR"):
        return Path(explicit)
    if own := os.environ.get("LIANXIN_SPANS_FILE"):
        return Path(own).parent
    return None


def jaeger_url(trace_id: str) -> str | None:
    base = os.environ.get("LIANXIN_JAEGER_URL")
    return f"{base.rstrip('/')}/trace/{trace_id}" if base else None


def _lines(directory: Path | None, needles: list[str]) -> list[dict]:
    """The spans whose line holds any of `needles` (a cheap test before parsing: the files hold
    every trace of every run)."""
    if directory is None or not directory.is_dir() or not needles:
        return []
    found = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if any(needle in line for needle in needles):
                    try:
                        found.append(json.loads(line))
                    except ValueError:
                        continue  # a line being written as we read
    return found


def read_trace(directory: Path | None, trace_id: str) -> list[dict]:
    return _lines(directory, [f'"trace_id": "{trace_id}"'])


# The span attributes that name the incident a span worked on.
INCIDENT_ATTRIBUTES = ("messaging.message.conversation_id", "lianxin.incident.id")


def read_incident(directory: Path | None, incident_id: str, trace_id: str | None) -> list[dict]:
    """Every trace that touched the incident: its own (from the report on) and any other in
    which a span names it, such as a later request whose messages carry the incident as their
    conversation. The whole story of one incident, however its steps were traced."""
    touching = [
        span
        for span in _lines(directory, [incident_id])
        if any(
            (span.get("attributes") or {}).get(name) == incident_id for name in INCIDENT_ATTRIBUTES
        )
    ]
    traces = sorted({span["trace_id"] for span in touching} | ({trace_id} if trace_id else set()))
    return _lines(directory, [f'"trace_id": "{t}"' for t in traces])
