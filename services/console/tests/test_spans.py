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


def test_the_index_follows_a_file_as_it_grows_and_when_it_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    path.write_text(json.dumps(_span("a" * 32, "first")) + "\n")
    assert [s["span_id"] for s in read_trace(tmp_path, "a" * 32)] == ["first"]
    with path.open("a") as out:
        out.write(json.dumps(_span("a" * 32, "second", **{"lianxin.incident.id": INCIDENT})) + "\n")
    assert [s["span_id"] for s in read_incident(tmp_path, INCIDENT, None)] == ["first", "second"]
    path.unlink()  # rotated away: a new file at the same path
    path.write_text(json.dumps(_span("b" * 32, "third")) + "\n")
    assert read_trace(tmp_path, "a" * 32) == []
    assert [s["span_id"] for s in read_trace(tmp_path, "b" * 32)] == ["third"]
