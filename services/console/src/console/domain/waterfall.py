"""One trace's spans laid out as a waterfall: parents above children, bars on a shared clock."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    trace_id: str
    span_id: str
    name: str
    service: str
    kind: str
    status: str
    depth: int
    offset_pct: float  # where the bar starts, in % of the trace's duration
    width_pct: float
    duration_ms: float
    attributes: dict


@dataclass(frozen=True)
class Waterfall:
    trace_id: str  # or, for an incident's several traces, the incident's id
    bars: list[Bar]
    duration_ms: float
    services: list[str]  # in the order they first appear
    traces: list[str]  # the traces drawn, in the order their first span starts


def waterfall(trace_id: str, spans: list[dict]) -> Waterfall:
    """Spans on one clock, each under its parent; spans whose parent is not among them become
    roots; siblings by start. Several traces may be drawn together, each root with its tree."""
    if not spans:
        return Waterfall(trace_id, [], 0.0, [], [])
    start = min(s["start_ns"] for s in spans)
    end = max(s["end_ns"] or s["start_ns"] for s in spans)
    total = max(end - start, 1)
    ids = {s["span_id"] for s in spans}
    # Roots by start across traces; a trace's spans stay together under its root.
    children: dict[str | None, list[dict]] = {}
    for span in spans:
        parent = span.get("parent_id") if span.get("parent_id") in ids else None
        children.setdefault(parent, []).append(span)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s["start_ns"], s["span_id"]))

    bars: list[Bar] = []
    # Depth first, iteratively: a deep trace must not hit the recursion limit.
    stack = [(span, 0) for span in reversed(children.get(None, []))]
    while stack:
        span, depth = stack.pop()
        finish = span["end_ns"] or span["start_ns"]
        bars.append(
            Bar(
                trace_id=span["trace_id"],
                span_id=span["span_id"],
                name=span["name"],
                service=span.get("service") or "?",
                kind=span.get("kind", ""),
                status=span.get("status", "UNSET"),
                depth=depth,
                offset_pct=round(100 * (span["start_ns"] - start) / total, 3),
                width_pct=max(round(100 * (finish - span["start_ns"]) / total, 3), 0.2),
                duration_ms=round((finish - span["start_ns"]) / 1e6, 2),
                attributes=span.get("attributes") or {},
            )
        )
        stack += [(child, depth + 1) for child in reversed(children.get(span["span_id"], []))]
    services = list(dict.fromkeys(bar.service for bar in bars))
    traces = list(dict.fromkeys(bar.trace_id for bar in bars))
    return Waterfall(trace_id, bars, round(total / 1e6, 2), services, traces)
