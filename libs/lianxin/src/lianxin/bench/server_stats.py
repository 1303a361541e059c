"""What the servers themselves counted over the measured window, not what our code thinks it did.

- PostgreSQL, per service database: statements executed by kind (SELECT, INSERT, …), commits
  and new connections. From `pg_stat_statements` when the server preloads it (the bench's own
  platform does), which counts every execution at once; the transaction-control statements
  (BEGIN, COMMIT, …) are counted apart. Without it, from `pg_stat_database` alone: commits,
  rows inserted/updated/deleted and sessions, no statement counts. A backend hands its
  `pg_stat_database` counts over when it goes idle, at most once a second and at the latest 10 s
  after: wait `settle` seconds before a snapshot for them to be whole.
- CPU seconds (user + system) of each process: the services, `postgres` (the postmaster, its
  live backends, and those it has reaped), `nats`, and `bench` (this process: reporters and
  department).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import asyncpg
import psutil

TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "START", "END", "SAVEPOINT", "RELEASE"}
DATABASE_COUNTERS = ("xact_commit", "xact_rollback", "sessions", "tup_inserted", "tup_updated")
DATABASE_COUNTERS += ("tup_deleted",)


@dataclass
class Snapshot:
    source: str  # "pg_stat_statements" or "pg_stat_database"
    # database → kind (first word of the statement, upper case) → executions
    statements: dict[str, dict[str, int]] = field(default_factory=dict)
    # database → counter of pg_stat_database → value
    counters: dict[str, dict[str, int]] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    # database → statement text → (executions, milliseconds executing)
    texts: dict[str, dict[str, tuple[int, float]]] = field(default_factory=dict)


def _service_of(database: str) -> str:
    """`lianxin_incidents` → `incidents`: the service each database belongs to."""
    return database.rsplit("_", 1)[-1]


async def has_statement_statistics(conn: asyncpg.Connection) -> bool:
    """Loaded at start (`shared_preload_libraries`) and the extension made in this database."""
    preloaded = "pg_stat_statements" in (await conn.fetchval("SHOW shared_preload_libraries"))
    if preloaded:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return preloaded


async def snapshot(server_dsn: str, processes: Mapping[str, int]) -> Snapshot:
    """`server_dsn`: the `postgres` database of the platform's server (plain asyncpg DSN)."""
    conn = await asyncpg.connect(server_dsn)
    try:
        with_statements = await has_statement_statistics(conn)
        shot = Snapshot("pg_stat_statements" if with_statements else "pg_stat_database")
        rows = await conn.fetch(
            f"SELECT datname, {', '.join(DATABASE_COUNTERS)} FROM pg_stat_database"
            " WHERE datname LIKE 'lianxin%' AND datname NOT LIKE 'lianxin_bench_%'"
        )
        for row in rows:
            shot.counters[_service_of(row["datname"])] = {
                name: int(row[name] or 0) for name in DATABASE_COUNTERS
            }
        if with_statements:
            rows = await conn.fetch(
                "SELECT d.datname, s.query, sum(s.calls)::bigint AS calls,"
                " sum(s.total_exec_time) AS ms"
                " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                " WHERE d.datname LIKE 'lianxin%' AND d.datname NOT LIKE 'lianxin_bench_%'"
                " GROUP BY 1, 2"
            )
            for row in rows:
                service = _service_of(row["datname"])
                kinds = shot.statements.setdefault(service, {})
                kind = _kind(row["query"])
                kinds[kind] = kinds.get(kind, 0) + int(row["calls"])
                shot.texts.setdefault(service, {})[row["query"]] = (int(row["calls"]), row["ms"])
    finally:
        await conn.close()
    shot.cpu_seconds = cpu_seconds(processes)
    return shot


def _kind(query: str) -> str:
    """SELECT, INSERT, …: the statement's first word."""
    words = query.split(maxsplit=1)
    return words[0].rstrip(";").upper() if words else ""


def cpu_seconds(processes: Mapping[str, int]) -> dict[str, float]:
    """User + system CPU seconds of each named process so far (and of this one, `bench`)."""
    seconds: dict[str, float] = {}
    for name, pid in processes.items():
        try:
            seconds[name] = _process_cpu(psutil.Process(pid), with_children=name == "postgres")
        except psutil.Error:
            continue  # gone: left out rather than counted as nothing
    seconds["bench"] = _process_cpu(psutil.Process(os.getpid()), with_children=False)
    return seconds


def _process_cpu(process: psutil.Process, *, with_children: bool) -> float:
    times = process.cpu_times()
    total = times.user + times.system
    if with_children:  # PostgreSQL's backends, live and reaped
        total += times.children_user + times.children_system
        for child in process.children(recursive=True):
            try:
                child_times = child.cpu_times()
            except psutil.Error:
                continue
            total += child_times.user + child_times.system
    return total


def per_loop(before: Snapshot, after: Snapshot, loops: int) -> dict:
    """The window's deltas divided by its loops: per service, statements (by kind, and in all
    outside transaction control), transactions, new connections, rows written; CPU seconds per
    process."""
    services: dict[str, dict] = defaultdict(dict)
    for service, counters in after.counters.items():
        start = before.counters.get(service, {})
        delta = {name: value - start.get(name, 0) for name, value in counters.items()}
        figures = services[service]
        figures["commits"] = _each(delta["xact_commit"], loops)
        figures["rollbacks"] = _each(delta["xact_rollback"], loops)
        figures["new_connections"] = _each(delta["sessions"], loops)
        written = delta["tup_inserted"] + delta["tup_updated"] + delta["tup_deleted"]
        figures["rows_written"] = _each(written, loops)
    for service, kinds in after.statements.items():
        start = before.statements.get(service, {})
        delta = {kind: calls - start.get(kind, 0) for kind, calls in kinds.items()}
        delta = {kind: calls for kind, calls in delta.items() if calls}
        statements = sum(c for k, c in delta.items() if k not in TRANSACTION_CONTROL)
        figures = services[service]
        figures["statements"] = _each(statements, loops)
        figures["statements_by_kind"] = {
            kind: _each(calls, loops) for kind, calls in sorted(delta.items())
        }
        figures["most_executed"] = _most_executed(
            before.texts.get(service, {}), after.texts.get(service, {}), loops
        )
    cpu = {
        name: round((seconds - before.cpu_seconds.get(name, 0.0)) / loops, 4)
        for name, seconds in after.cpu_seconds.items()
        if name in before.cpu_seconds
    }
    return {
        "source": after.source,
        "per_loop": {service: services[service] for service in sorted(services)},
        "cpu_seconds_per_loop": cpu,
    }


def _most_executed(before: dict, after: dict, loops: int, most: int = 30) -> list[dict]:
    """The statements executed most often in the window: per loop, with their time in the
    server (ms per loop), their text cut short."""
    deltas = []
    for text, (calls, ms) in after.items():
        start_calls, start_ms = before.get(text, (0, 0.0))
        if calls > start_calls:
            deltas.append((calls - start_calls, ms - start_ms, text))
    deltas.sort(key=lambda d: -d[0])
    return [
        {"per_loop": _each(calls, loops), "ms_per_loop": round(ms / loops, 3), "query": text[:160]}
        for calls, ms, text in deltas[:most]
    ]


def _each(count: int, loops: int) -> float:
    return round(count / loops, 2)
