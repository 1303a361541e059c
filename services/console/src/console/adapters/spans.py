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


def read_trace(directory: Path | None, trace_id: str) -> list[dict]:
    if directory is None or not directory.is_dir():
        return []
    needle = f'"trace_id": "{trace_id}"'
    found = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                # Cheap test first: the files hold every trace of every run.
                if needle in line:
                    try:
                        found.append(json.loads(line))
                    except ValueError:
                        continue  # a line being written as we read
    return found
