"""The unit of work: one transaction for a state change, the events it causes and its inbox mark."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache
from types import TracebackType
from typing import Self

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from lianxin.contracts import EventData, new_event
from lianxin.errors import Conflict
from lianxin.persistence.claims import mark_committed
from lianxin.persistence.tables import inbox_insert
from lianxin.persistence.writes import TableWrite, Writes
from lianxin.telemetry import current_trace_headers

UNIQUE_VIOLATION = "23505"


def _sqlstate(exc: IntegrityError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


def _constraint(exc: IntegrityError) -> str:
    cause = getattr(exc.orig, "__cause__", None)  # asyncpg's own error names the constraint
    return getattr(cause, "constraint_name", None) or "a unique key"


class UnitOfWork:
    """Subclass per service and declare its repositories as annotations (`needs:
    NeedRepository`): `__aenter__` opens each over the transaction's connection (see `_open`)."""

    session: AsyncConnection  # the name repositories know it by

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        source: str,
        outbox: Table,
        inbox: Table,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._session_factory = session_factory
        self.source = source
        self._outbox = outbox
        self._inbox = inbox
        self._on_commit = on_commit
        self._outbox_write = _outbox_write(outbox)
        self._outbox_rows: list[dict] = []
        self._reading = False
        self._snapshot = False
        # What repositories leave to the commit: sent with the outbox rows in one statement.
        self.writes = Writes()

    def reading(self) -> Self:
        """`async with uow.reading():` for a request that only reads: each statement on its
        own, without the BEGIN and ROLLBACK round trips (so two statements may see two states:
        for one-statement reads)."""
        self._reading = True
        return self

    def snapshot(self) -> Self:
        """`async with uow.snapshot():` for a read of several statements that must agree (a
        passbook's balance and its history): one REPEATABLE READ transaction, one state."""
        self._snapshot = True
        return self

    async def __aenter__(self) -> Self:
        # A connection of the factory's engine, not an ORM session: every repository speaks
        # SQLAlchemy Core (execute, scalar, scalars), and an ORM session put its own bookkeeping
        # around each statement, a good part of a service's CPU per command (`make bench`).
        self.session = await self._session_factory.kw["bind"].connect()
        if self._reading:
            await self.session.execution_options(isolation_level="AUTOCOMMIT")
        elif self._snapshot:
            await self.session.execution_options(isolation_level="REPEATABLE READ")
        await self.session.begin()
        self._open()
        return self

    def _open(self) -> None:
        """Open the repositories the subclass declares over `self.session`; one that leaves rows
        to the commit (its constructor takes `writes`) gets this transaction's `self.writes`.
        A subclass that builds its repositories otherwise overrides this."""
        for name, repository, takes_writes in _declared_repositories(type(self)):
            writes = (self.writes,) if takes_writes else ()
            setattr(self, name, repository(self.session, *writes))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            self._reading = self._snapshot = False
            self._outbox_rows = []
            self.writes = Writes()  # what a failed transaction left unsent is not sent later
            await self.session.close()
        if isinstance(exc, IntegrityError) and _sqlstate(exc) == UNIQUE_VIOLATION:
            # Two requests that both checked "not there yet" and both wrote: the database's
            # unique key let one win; the other is told so, as a refusal, not a 500.
            raise Conflict(f"{_constraint(exc)}: it already exists") from exc

    async def commit(self) -> None:
        if self._reading:
            raise RuntimeError("a unit of work opened for reading commits nothing")
        emitted, self._outbox_rows = self._outbox_rows, []
        self.writes.add(self._outbox_write, emitted)
        await mark_committed(self.session)  # a creation under an Idempotency-Key: still ours?
        # The state change and its events: one statement. When the transaction has sent nothing
        # before it (a report: its reads all remembered), that statement is the whole
        # transaction, atomic on its own: sent without the BEGIN and COMMIT round trips.
        driver = (await self.session.get_raw_connection()).dbapi_connection
        alone = bool(self.writes) and getattr(driver, "_transaction", False) is None
        if alone:
            driver.autocommit = True
        try:
            await self.writes.flush(self.session)
        finally:
            if alone:
                driver.autocommit = False
        await self.session.commit()
        if emitted:
            self._on_commit()

    def emit(
        self, data: EventData, *, community: str | None = None, correlation_id: str | None = None
    ) -> str:
        """Queue the event for the outbox (written by `commit`, in this transaction); its id."""
        event = new_event(
            data, source=self.source, community=community, correlation_id=correlation_id
        )
        headers = current_trace_headers()
        event.traceparent = headers.get("traceparent")
        self._outbox_rows.append(
            {
                "event_id": event.id,
                "subject": data.nats_subject(),
                "event": event.model_dump(mode="json"),
                "trace_headers": headers,
            }
        )
        return event.id

    async def first_time(self, consumer: str, event_id: str) -> bool:
        """Mark the event as handled by `consumer`; False when it already was (a redelivery)."""
        inserted = await self.session.execute(
            inbox_insert(self._inbox), {"consumer": consumer, "event_id": event_id}
        )
        return inserted.first() is not None


@cache
def _declared_repositories(cls: type[UnitOfWork]) -> tuple[tuple[str, type, bool], ...]:
    """The annotations of `cls` and its bases below `UnitOfWork`, in declaration order: name,
    repository class, and whether it takes `writes`. Read once per class, at its first use."""
    declared: dict[str, type] = {}
    for klass in reversed(cls.__mro__):
        if issubclass(klass, UnitOfWork) and klass is not UnitOfWork:
            declared.update(inspect.get_annotations(klass, eval_str=True))
    return tuple(
        (name, repo, "writes" in inspect.signature(repo).parameters)
        for name, repo in declared.items()
    )


_OUTBOX_WRITES: dict[Table, TableWrite] = {}


def _outbox_write(outbox: Table) -> TableWrite:
    if outbox not in _OUTBOX_WRITES:
        columns = ("event_id", "subject", "event", "trace_headers")
        _OUTBOX_WRITES[outbox] = TableWrite(outbox, columns)
    return _OUTBOX_WRITES[outbox]
