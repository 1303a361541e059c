"""The parts that make the loop cheaper: span files rotated by size, a batch in lanes, a
transaction's writes in one statement, HTTP clients on one TLS context."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Column, Integer, MetaData, Table, Text

from lianxin import http_clients
from lianxin.messaging.subscriber import lanes
from lianxin.persistence.writes import Counter, TableWrite, Writes
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


class _Connection:
    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple]] = []

    async def exec_driver_sql(self, sql: str, parameters: tuple) -> None:
        self.sent.append((sql, parameters))


_META = MetaData()
_PARENTS = Table("parents", _META, Column("id", Integer, primary_key=True), Column("name", Text))
_CHILDREN = Table("children", _META, Column("id", Integer, primary_key=True), Column("at", Text))


async def test_a_transactions_writes_go_as_one_statement_the_last_upsert_of_a_row_winning() -> None:
    parents = TableWrite(_PARENTS, ("id", "name"), "update")
    children = TableWrite(_CHILDREN, ("id", "at"), "nothing")
    writes, connection = Writes(), _Connection()
    writes.add(parents, [{"id": 1, "name": "old"}, {"id": 2, "name": "two"}])
    writes.add(children, [{"id": 7, "at": datetime(2026, 1, 1, tzinfo=UTC)}])
    writes.add(parents, [{"id": 1, "name": "new"}])  # the same row saved again
    await writes.flush(connection)
    [(sql, parameters)] = connection.sent
    assert sql.startswith("WITH w0 AS (INSERT INTO parents")
    assert 'ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name")' in sql
    assert sql.endswith(
        "jsonb_populate_recordset(NULL::children, $2::jsonb) ON CONFLICT DO NOTHING"
    )
    assert json.loads(parameters[0]) == [{"id": 1, "name": "new"}, {"id": 2, "name": "two"}]
    assert json.loads(parameters[1]) == [{"id": 7, "at": "2026-01-01T00:00:00Z"}]
    await writes.flush(connection)  # nothing left: nothing sent
    assert len(connection.sent) == 1 and not writes


class _Result:
    def scalar_one(self) -> int:
        return 7


class _CountingConnection(_Connection):
    async def exec_driver_sql(self, sql: str, parameters: tuple) -> _Result:
        self.sent.append((sql, parameters))
        return _Result()


_COUNTERS = Table(
    "counters", _META, Column("scope", Text, primary_key=True), Column("last", Integer)
)


async def test_a_counter_is_taken_in_the_writes_statement_and_its_number_written() -> None:
    parents = TableWrite(_PARENTS, ("id", "name"), "update")
    counter = Counter(_COUNTERS, ("scope",), "last", into=_PARENTS, column="name", digits=4)
    writes, connection = Writes(), _CountingConnection()
    writes.number(counter, {"scope": "a"})
    writes.add(parents, [{"id": 1, "name": "A-"}])
    await writes.flush(connection)
    [(sql, parameters)] = connection.sent
    # The counter's CTE first ($1), the row's column given the number, the number answered.
    assert sql.startswith('WITH n AS (INSERT INTO counters ("scope", "last") SELECT "scope", 1')
    assert 'ON CONFLICT ("scope") DO UPDATE SET "last" = counters."last" + 1' in sql
    assert 'SELECT r."id", r."name" || lpad(n.taken::text' in sql
    assert "FROM jsonb_populate_recordset(NULL::parents, $2::jsonb) AS r, n" in sql
    assert sql.endswith("SELECT taken FROM n")
    assert json.loads(parameters[0]) == {"scope": "a"}
    assert writes.taken == 7


ROOT = Path(__file__).resolve().parents[3]
# httpx's own constructors and one-shot calls, each of which builds a TLS context (~50 ms of CPU).
OWN_CONTEXT = re.compile(
    r"\bhttpx\.(Client|AsyncClient|get|post|put|patch|delete|request|stream)\("
)


def test_every_http_client_shares_one_tls_context() -> None:
    assert http_clients.sync_client()._transport._pool._ssl_context is http_clients.tls_context()
    assert http_clients.async_client()._transport._pool._ssl_context is http_clients.tls_context()
    own = [
        f"{path.relative_to(ROOT)}:{n}"
        for top in ("libs", "services", "tests", "docs")
        for path in (ROOT / top).rglob("*.py")
        if path.name != "http_clients.py" and ".venv" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if OWN_CONTEXT.search(line)
    ]
    assert not own, f"use lianxin.http_clients, not httpx's constructors: {own}"
