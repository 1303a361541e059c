"""Reading an incident's spans back from the JSON-lines files every process writes."""

from __future__ import annotations

import json
from pathlib import Path

from console.adapters.spans import read_incident, read_trace

INCIDENT = "6d0f9d2e-0000-4000-8000-000000000001"


def _span(trace: str, span: str, **attributes: str) -> dict:
    return {
        "trace_id": trace,
        "span_id": span,
        "parent_id": None,
        "name": span,
        "service": "x",
        "start_ns": 0,
        "end_ns": 1,
        "attributes": attributes,
    }


def test_an_incident_is_every_trace_a_span_names_it_in(tmp_path: Path) -> None:
    (tmp_path / "incidents.jsonl").write_text(
        "\n".join(
            json.dumps(s)
            for s in [
                _span("a" * 32, "report"),
                _span("b" * 32, "escalate", **{"lianxin.incident.id": INCIDENT}),
                _span("b" * 32, "insert"),
                _span("c" * 32, "unrelated", **{"lianxin.incident.id": "someone else"}),
            ]
        )
        + "\n{half a line"
    )
    (tmp_path / "department-power.jsonl").write_text(
        json.dumps(_span("d" * 32, "process", **{"messaging.message.conversation_id": INCIDENT}))
    )
    found = {s["span_id"] for s in read_incident(tmp_path, INCIDENT, "a" * 32)}
    assert found == {"report", "escalate", "insert", "process"}
    assert [s["span_id"] for s in read_trace(tmp_path, "c" * 32)] == ["unrelated"]
    assert read_incident(None, INCIDENT, None) == []
