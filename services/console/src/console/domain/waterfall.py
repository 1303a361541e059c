"""One trace's spans (or an incident's several traces) laid out as a waterfall on a shared clock.

A span sits under its parent only while it runs within it. A message's processing (a CONSUMER
span) and whatever starts after its parent has ended (the outbox relay publishing a request's
events later) begin a branch of their own, in time order, with a link back to the span that
caused it: nested, the whole life cycle of an incident hung under its 38 ms report request.
Database statements ("INSERT", "SELECT" …) are marked, so the view can fold them away and count
them on the span that ran them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DB_NAMES = frozenset({"INSERT", "SELECT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK"})


@dataclass(frozen=True)
class Bar:
    trace_id: str
    span_id: str
    name: str
    service: str
    kind: str
    status: str
    depth: int
    offset_pct: float  # where the bar starts, in % of the whole view's duration
    width_pct: float
    duration_ms: float
    attributes: dict
    db: bool = False  # a database statement
    statements: int = 0  # database statements run directly under this span
    caused_by: Bar | None = None  # a branch's first span: the span it follows from
    actor: str | None = None  # who did it, where the span says (enduser.id, consumer group)
    linked: tuple[str, ...] = ()  # other traces it follows from (the request that ran a step)


@dataclass(frozen=True)
class Waterfall:
    trace_id: str  # or, for an incident's several traces, the incident's id
    bars: list[Bar]
    duration_ms: float
    services: list[str]  # in the order they first appear
    traces: list[str]  # the traces drawn, in the order their first span starts
    statements: int = field(default=0)  # database statements in all


def is_db(span: dict) -> bool:
    attributes = span.get("attributes") or {}
    first = (span.get("name") or "").split(" ", 1)[0].upper()
    return "db.system" in attributes or "db.system.name" in attributes or first in DB_NAMES


def actor(span: dict) -> str | None:
    attributes = span.get("attributes") or {}
    found = attributes.get("enduser.id") or attributes.get("messaging.consumer.group.name")
    return str(found) if found else None


def _detached(span: dict, parent: dict | None) -> bool:
    """Begins a branch of its own: a message processed, or work started after its parent ended."""
    if parent is None:
        return True
    if span.get("kind") == "CONSUMER":
        return True
    parent_end = parent.get("end_ns") or parent["start_ns"]
    return span["start_ns"] > parent_end


def waterfall(trace_id: str, spans: list[dict]) -> Waterfall:
    """Branches in the order they start, across traces; within one, each span under its
    parent, siblings by start."""
    if not spans:
        return Waterfall(trace_id, [], 0.0, [], [])
    start = min(s["start_ns"] for s in spans)
    end = max(s["end_ns"] or s["start_ns"] for s in spans)
    total = max(end - start, 1)
    by_id = {s["span_id"]: s for s in spans}
    children: dict[str | None, list[dict]] = {}
    for span in spans:
        parent = by_id.get(span.get("parent_id") or "")
        children.setdefault(None if _detached(span, parent) else parent["span_id"], []).append(span)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s["start_ns"], s["span_id"]))

    drawn: dict[str, Bar] = {}
    bars: list[Bar] = []
    # Depth first, iteratively: a deep trace must not hit the recursion limit.
    stack = [(span, 0) for span in reversed(children.get(None, []))]
    while stack:
        span, depth = stack.pop()
        finish = span["end_ns"] or span["start_ns"]
        kids = children.get(span["span_id"], [])
        cause = by_id.get(span.get("parent_id") or "") if depth == 0 else None
        bar = Bar(
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
            db=is_db(span),
            statements=sum(1 for kid in kids if is_db(kid)),
            caused_by=drawn.get(cause["span_id"]) if cause else None,
            actor=actor(span),
            linked=tuple(
                dict.fromkeys(
                    link["trace_id"]
                    for link in span.get("links") or []
                    if link.get("trace_id") and link["trace_id"] != span["trace_id"]
                )
            ),
        )
        drawn[bar.span_id] = bar
        bars.append(bar)
        stack += [(child, depth + 1) for child in reversed(kids)]
    services = list(dict.fromkeys(bar.service for bar in bars))
    traces = list(dict.fromkeys(bar.trace_id for bar in bars))
    statements = sum(1 for bar in bars if bar.db)
    return Waterfall(trace_id, bars, round(total / 1e6, 2), services, traces, statements)
