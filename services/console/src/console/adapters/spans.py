"""Reading one trace's spans back from the JSON-lines files of the embedded default.

Every process appends its finished spans to `<spans dir>/<service>.jsonl`, rotated by size to
`<service>.1.jsonl` (see `lianxin.telemetry.JsonLinesSpanExporter`); a trace is every line with
its trace id, whichever file it is in. Each file is indexed by trace id and incident id as it
grows, so a view reads only its trace's lines. With an OTLP collector instead, the console links
to Jaeger.
"""

from __future__ import annotations

import json
import os
import threading
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


# The span attributes that name the incident a span worked on.
INCIDENT_ATTRIBUTES = ("messaging.message.conversation_id", "lianxin.incident.id")


class _FileIndex:
    """Where each trace's lines are in one spans file, and which traces name each incident,
    kept up to date by reading only what was appended since (the files hold every trace of
    every run: scanning them all for each view grew with the platform's age)."""

    def __init__(self, head: bytes) -> None:
        self.head = head  # the file's first bytes: a new file at the same path differs here
        self.offset = 0
        self.by_trace: dict[str, list[int]] = {}
        self.by_incident: dict[str, set[str]] = {}
        # A last line without its newline: whole if it parses (a writer that ends without one),
        # else being written. Looked at afresh each time, indexed once it ends.
        self.tail: tuple[int, str, set[str]] | None = None

    def catch_up(self, path: Path) -> None:
        self.tail = None
        with path.open("rb") as lines:
            lines.seek(self.offset)
            for line in lines:
                start = self.offset
                if not line.endswith(b"\n"):
                    self.tail = _tail(start, line)
                    break
                self.offset += len(line)
                if found := _names(line):
                    trace_id, incidents = found
                    self.by_trace.setdefault(trace_id, []).append(start)
                    for incident in incidents:
                        self.by_incident.setdefault(incident, set()).add(trace_id)

    def traces_of(self, incident_id: str) -> set[str]:
        traces = set(self.by_incident.get(incident_id, ()))
        if self.tail and incident_id in self.tail[2]:
            traces.add(self.tail[1])
        return traces

    def read(self, path: Path, trace_ids: set[str]) -> list[dict]:
        offsets = sorted(o for t in trace_ids for o in self.by_trace.get(t, ()))
        if self.tail and self.tail[1] in trace_ids:
            offsets.append(self.tail[0])
        found = []
        with path.open("rb") as lines:
            for offset in offsets:
                lines.seek(offset)
                try:
                    found.append(json.loads(lines.readline()))
                except ValueError:
                    continue
        return found


def _names(line: bytes) -> tuple[str, set[str]] | None:
    """The span's trace id and the incidents it names, found without parsing the line."""
    trace_id = _value(line, b'"trace_id": "')
    if trace_id is None:
        return None
    incidents = {_value(line, f'"{name}": "'.encode()) for name in INCIDENT_ATTRIBUTES}
    return trace_id, {i for i in incidents if i}


def _tail(start: int, line: bytes) -> tuple[int, str, set[str]] | None:
    try:
        json.loads(line)
    except ValueError:
        return None  # being written
    found = _names(line)
    return (start, *found) if found else None


def _value(line: bytes, key: bytes) -> str | None:
    """The string value after `key` in a span's line, found without parsing the line."""
    at = line.find(key)
    if at < 0:
        return None
    start = at + len(key)
    end = line.find(b'"', start)
    return line[start:end].decode("utf-8", errors="replace") if end > start else None


_indexes: dict[Path, _FileIndex] = {}
_lock = threading.Lock()  # the views read from worker threads


def _indexed(directory: Path | None) -> list[tuple[Path, _FileIndex]]:
    """Each spans file of the folder with its index, caught up (a file replaced or rotated
    since is indexed afresh)."""
    if directory is None or not directory.is_dir():
        return []
    paths = sorted(directory.glob("*.jsonl"))
    for gone in [p for p in _indexes if p.parent == directory and p not in paths]:
        del _indexes[gone]
    files = []
    for path in paths:
        try:
            with path.open("rb") as f:
                head = f.read(64)
            size = path.stat().st_size
        except OSError:
            continue  # rotated away between the listing and now
        index = _indexes.get(path)
        if index is None or head[: len(index.head)] != index.head or size < index.offset:
            index = _indexes[path] = _FileIndex(head)
        index.catch_up(path)
        files.append((path, index))
    return files


def read_trace(directory: Path | None, trace_id: str) -> list[dict]:
    with _lock:
        files = _indexed(directory)
        return [span for path, index in files for span in index.read(path, {trace_id})]


def read_incident(directory: Path | None, incident_id: str, trace_id: str | None) -> list[dict]:
    """Every trace that touched the incident: its own (from the report on) and any other in
    which a span names it, such as a later request whose messages carry the incident as their
    conversation. The whole story of one incident, however its steps were traced."""
    with _lock:
        files = _indexed(directory)
        traces = {t for _, index in files for t in index.traces_of(incident_id)}
        if trace_id:
            traces.add(trace_id)
        return [span for path, index in files for span in index.read(path, traces)]
