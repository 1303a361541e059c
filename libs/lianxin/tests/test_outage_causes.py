"""Which errors say "PostgreSQL is unreachable" (503, retry) and which are faults (500): the
errors a kill -9 of PostgreSQL's process group and its restart raised in the fault suite, each as
asyncpg raises it and as SQLAlchemy wraps it."""

from __future__ import annotations

import errno

import asyncpg
import pytest
from sqlalchemy import exc as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

from lianxin.outage import database_unreachable

DBAPI = AsyncAdapt_asyncpg_dbapi(asyncpg)


def _wrapped(error: Exception, *, invalidated: bool = False) -> sa.DBAPIError:
    """`error` as a service sees it: asyncpg's, translated by SQLAlchemy's dialect (`raise …
    from`), then wrapped in a `DBAPIError` whose `.orig` is the translation."""
    kind = next(
        (
            DBAPI._asyncpg_error_translate[k]
            for k in type(error).__mro__
            if k in DBAPI._asyncpg_error_translate
        ),
        DBAPI.Error,
    )
    try:
        try:
            raise error
        except Exception as original:
            raise kind(str(original), original) from original
    except Exception as translated:
        return sa.DBAPIError.instance(
            "SELECT 1", None, translated, DBAPI.Error, connection_invalidated=invalidated
        )


UNREACHABLE = {
    # a restarted PostgreSQL in crash recovery: what most of the 500s were
    "starting up (57P03)": asyncpg.exceptions.CannotConnectNowError(
        "the database system is starting up"
    ),
    "not yet accepting (57P03)": asyncpg.exceptions.CannotConnectNowError(
        "the database system is not yet accepting connections"
    ),
    "admin shutdown (57P01)": asyncpg.exceptions.AdminShutdownError("terminating connection"),
    "crash shutdown (57P02)": asyncpg.exceptions.CrashShutdownError("terminating connection"),
    "too many connections (53300)": asyncpg.exceptions.TooManyConnectionsError("too many"),
    "dropped mid-query (08003)": asyncpg.exceptions.ConnectionDoesNotExistError(
        "connection was closed in the middle of operation"
    ),
    "connection failure (08006)": asyncpg.exceptions.ConnectionFailureError("lost"),
    "closed connection": asyncpg.exceptions.InterfaceError("connection is closed"),
    "refused": ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
    "reset": ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
    "every address refused": OSError("Multiple exceptions: [Errno 111] Connect call failed"),
    "no route": OSError(errno.EHOSTUNREACH, "No route to host"),
    "connect timed out": TimeoutError(),
}

FAULTS = {
    "a unique violation": asyncpg.exceptions.UniqueViolationError("duplicate key"),
    "bad SQL": asyncpg.exceptions.UndefinedColumnError('column "x" does not exist'),
    "a statement cancelled": asyncpg.exceptions.QueryCanceledError("canceling statement"),
    "asyncpg misused": asyncpg.exceptions.InterfaceError("the number of query arguments"),
    "a file not found": FileNotFoundError(errno.ENOENT, "No such file"),
    "a plain bug": ValueError("a bug"),
}


@pytest.mark.parametrize("error", UNREACHABLE.values(), ids=UNREACHABLE.keys())
def test_an_unreachable_database_is_recognised_bare_and_wrapped(error: Exception) -> None:
    assert database_unreachable(error)
    if isinstance(error, asyncpg.exceptions.PostgresError | asyncpg.exceptions.InterfaceError):
        assert database_unreachable(_wrapped(error))


@pytest.mark.parametrize("error", FAULTS.values(), ids=FAULTS.keys())
def test_a_fault_is_not_an_outage(error: Exception) -> None:
    assert not database_unreachable(error)
    if isinstance(error, asyncpg.exceptions.PostgresError):
        assert not database_unreachable(_wrapped(error))


def test_sqlalchemys_verdicts_count() -> None:
    assert database_unreachable(_wrapped(ValueError("whatever"), invalidated=True))
    assert database_unreachable(sa.TimeoutError("QueuePool limit reached, timed out"))


def test_an_outage_behind_a_bug_of_its_own_raised_from_it() -> None:
    try:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "refused")
        except OSError as error:
            raise RuntimeError("could not load the incident") from error
    except RuntimeError as outer:
        assert database_unreachable(outer)


def test_a_group_is_an_outage_only_if_every_failure_in_it_is() -> None:
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "refused")
    assert database_unreachable(ExceptionGroup("tasks", [refused, TimeoutError()]))
    assert not database_unreachable(ExceptionGroup("tasks", [refused, ValueError("a bug")]))
