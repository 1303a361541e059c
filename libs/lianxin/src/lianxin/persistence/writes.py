"""A transaction's inserts and upserts, sent to PostgreSQL as one statement when it commits.

Each table's rows travel as one JSON array (`jsonb_populate_recordset` turns it into rows of the
table's own column types), each table's write is one data-modifying CTE of a single statement:
one round trip for the incident, its assignments, its timeline lines, its timers and its outbox
rows instead of one per table (in `make bench` each round trip cost ~1 ms of CPU between the
service, asyncpg and PostgreSQL). The statement's text depends only on which tables have rows,
not on how many: PostgreSQL and asyncpg prepare it once.

What a deferred write gives up: a read later in the same transaction does not see it. Writes
whose rows a transaction reads back, or that must happen in an order, are executed at once as
before. Constraint checks and their errors are the same (an `IntegrityError` at commit, inside
the unit of work); the sub-statements of one statement see the same snapshot, and foreign keys
between them are checked at its end.

A counter row can be bumped in the same statement (`Writes.number`: a report's ticket number):
the number is taken and written into its row at once, and the counter row is locked only for
that statement, where taking it in a statement of its own held it locked, and every other report
of the community and day waiting, until the report's commit.

A flush is one span, `INSERT <tables>` (the statement itself begins `WITH`, which is what
SQLAlchemy's instrumentation, when on, names its own span after): the trace view shows which
tables a transaction wrote, at the cost of one span per transaction rather than one per
statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from opentelemetry.trace import SpanKind
from pydantic_core import to_json
from sqlalchemy import Table

from lianxin.telemetry import tracer

OnConflict = Literal["error", "nothing", "update"]


@dataclass(frozen=True)
class TableWrite:
    """How rows go into `table`: its `columns` (each row a dict of them; a key left out is NULL),
    and on a key conflict: fail (`error`), skip the row (`nothing`) or replace it (`update`,
    by the primary key)."""

    table: Table
    columns: tuple[str, ...]
    on_conflict: OnConflict = "error"

    def sql(self, parameter: int, counter: Counter | None = None) -> str:
        """The write's SQL, its rows the JSON array `$parameter`; `counter`: the statement's
        (its CTE `n`), whose number goes into this table's `counter.column`, if it names it."""
        name = self.table.name
        columns = ", ".join(f'"{c}"' for c in self.columns)
        values = columns
        source = f"jsonb_populate_recordset(NULL::{name}, ${parameter}::jsonb)"
        if counter is not None and counter.into is self.table:
            values = ", ".join(
                counter.appended(f'r."{c}"') if c == counter.column else f'r."{c}"'
                for c in self.columns
            )
            source += " AS r, n"
        statement = f"INSERT INTO {name} ({columns}) SELECT {values} FROM {source}"
        if self.on_conflict == "nothing":
            statement += " ON CONFLICT DO NOTHING"
        elif self.on_conflict == "update":
            key = [c.name for c in self.table.primary_key.columns]
            updated = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in self.columns if c not in key)
            keys = ", ".join(f'"{c}"' for c in key)
            statement += f" ON CONFLICT ({keys}) DO UPDATE SET {updated}"
        return statement


@dataclass(frozen=True)
class Counter:
    """A counter row (`table`, its primary key `key`, the last number given in `value`) bumped
    by the writes' own statement, or made at 1; the number it gives is appended, zero-padded to
    `digits`, to `column` of the rows written into `into` (each row holds the text before it)."""

    table: Table
    key: tuple[str, ...]
    value: str
    into: Table
    column: str
    digits: int

    def sql(self, parameter: int) -> str:
        """The CTE `n` taking the number (`taken`); the key's values in the JSON `$parameter`."""
        name, keys = self.table.name, ", ".join(f'"{c}"' for c in self.key)
        return (
            f'n AS (INSERT INTO {name} ({keys}, "{self.value}") SELECT {keys}, 1'
            f" FROM jsonb_populate_record(NULL::{name}, ${parameter}::jsonb)"
            f' ON CONFLICT ({keys}) DO UPDATE SET "{self.value}" = {name}."{self.value}" + 1'
            f' RETURNING "{self.value}" AS taken)'
        )

    def appended(self, text: str) -> str:
        # lpad cuts a longer number to the width: past 10^digits it is written whole.
        return f"{text} || lpad(n.taken::text, greatest({self.digits}, length(n.taken::text)), '0')"


_statements: dict[tuple[Counter | None, tuple[TableWrite, ...]], str] = {}


def statement_for(writes: tuple[TableWrite, ...], counter: Counter | None = None) -> str:
    """One statement doing every write, each a CTE (the last the statement's own body); with a
    `counter`, its CTE comes first (`$1`) and the statement's body answers the number taken."""
    if (counter, writes) not in _statements:
        first = 2 if counter else 1
        sqls = [write.sql(n, counter) for n, write in enumerate(writes, start=first)]
        if counter:
            ctes = ", ".join([counter.sql(1), *(f"w{n} AS ({sql})" for n, sql in enumerate(sqls))])
            statement = f"WITH {ctes} SELECT taken FROM n"
        else:
            *before, last = sqls
            ctes = ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(before))
            statement = f"WITH {ctes} {last}" if before else last
        _statements[(counter, writes)] = statement
    return _statements[(counter, writes)]


class Writes:
    """The rows a unit of work will write at commit, by table, in the order first added. A row
    replacing one already pending (`update`, the same key: an incident saved twice in one
    transaction) takes its place, as a second upsert would have."""

    def __init__(self) -> None:
        self._rows: dict[TableWrite, dict[Any, dict[str, Any]]] = {}
        self._counter: tuple[Counter, dict[str, Any]] | None = None
        # The number the last flush took from its counter.
        self.taken: int | None = None

    def number(self, counter: Counter, key: dict[str, Any]) -> None:
        """Take `counter`'s next number for `key` in the statement (one counter a statement)."""
        if self._counter is not None:
            raise ValueError("one counter a statement")
        self._counter = (counter, key)

    def add(self, write: TableWrite, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        pending = self._rows.setdefault(write, {})
        key = [c.name for c in write.table.primary_key.columns]
        for row in rows:
            at = tuple(row[k] for k in key) if write.on_conflict == "update" else len(pending)
            pending[at] = row

    def __bool__(self) -> bool:
        return bool(self._rows)

    async def flush(self, connection: Any) -> None:
        """Send them all in one statement on `connection` (an `AsyncConnection`); forget them."""
        if not self._rows:
            return
        pending, self._rows = self._rows, {}
        taking, self._counter = self._counter, None
        counter = taking[0] if taking else None
        # pydantic's encoder (Rust): datetimes, dates, UUIDs, enums, sets and tuples as JSON
        # values, ~6 times faster than `json.dumps` with a `default` for them.
        parameters = tuple(
            to_json(rows).decode()
            for rows in (
                *([taking[1]] if taking else []),
                *(list(rows.values()) for rows in pending.values()),
            )
        )
        tables = ", ".join(write.table.name for write in pending)
        attributes = {"db.system": "postgresql", "db.operation.name": "INSERT"}
        with tracer.start_as_current_span(
            f"INSERT {tables}", kind=SpanKind.CLIENT, attributes=attributes
        ):
            result = await connection.exec_driver_sql(
                statement_for(tuple(pending), counter), parameters
            )
            if counter is not None:
                self.taken = result.scalar_one()
