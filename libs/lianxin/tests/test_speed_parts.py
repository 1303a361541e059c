"""The parts that make the loop cheaper: span files rotated by size, a batch in lanes."""

from __future__ import annotations

import json
from types import SimpleNamespace

from opentelemetry.sdk.trace import TracerProvider

from lianxin.messaging.subscriber import lanes
from lianxin.telemetry import JsonLinesSpanExporter, rotated_path


def test_a_spans_file_past_its_size_is_rotated_and_the_one_before_deleted(tmp_path) -> None:
    path = tmp_path / "incidents.jsonl"
    exporter = JsonLinesSpanExporter(str(path), max_bytes=1000)
    tracer = TracerProvider().get_tracer("test")
    for n in range(40):
        with tracer.start_as_current_span(f"span {n}") as span:
            pass
        exporter.export([span])
    assert rotated_path(str(path)) == str(tmp_path / "incidents.1.jsonl")
    # The current file is new since the last rotation (absent right after one), the one before
    # it is the only rotated one kept.
    assert {p.name for p in tmp_path.iterdir()} <= {"incidents.1.jsonl", "incidents.jsonl"}
    rotated = (tmp_path / "incidents.1.jsonl").read_text().splitlines()
    current = path.read_text().splitlines() if path.exists() else []
    # Each file under the size plus one batch; the newest spans kept, the oldest gone.
    assert all(len(p.read_bytes()) <= 1000 + 400 for p in tmp_path.iterdir())
    names = [json.loads(line)["name"] for line in rotated + current]
    assert names[-1] == "span 39" and "span 0" not in names


def _msg(subject: str | None, n: int) -> SimpleNamespace:
    data = json.dumps({"subject": subject, "n": n}).encode() if subject else b"not json"
    return SimpleNamespace(data=data, n=n)


def test_a_batch_is_split_by_aggregate_each_in_the_order_fetched() -> None:
    batch = [_msg("a", 0), _msg("b", 1), _msg("a", 2), _msg(None, 3), _msg("b", 4)]
    split = lanes(batch)  # type: ignore[arg-type]
    assert [[m.n for m in lane] for lane in split.values()] == [[0, 2], [1, 4], [3]]
