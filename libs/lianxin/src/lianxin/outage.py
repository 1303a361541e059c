"""While a service's PostgreSQL is unreachable, its clients get 503 with `Retry-After`, not 500.

A refused or dropped database connection is not a fault of the request nor a bug of the service:
the same request succeeds once the database is back, so the answer says so (RFC 9110 §15.6.4)
as a problem document, and a client or a load balancer retries instead of giving up.

An error is recognised by its cause, wherever it was raised (a route, the unit of work, the
idempotency keys' claim): the SQLSTATE PostgreSQL or asyncpg gave it, SQLAlchemy's verdict that
the connection was invalidated, a pool that waited in vain, or the socket's own error; followed
through `raise … from` (SQLAlchemy wraps asyncpg's error, which may wrap the socket's) and
through exception groups. A statement PostgreSQL refused (a constraint, bad SQL) stays a 500 or
whatever its handler makes of it.
"""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Iterator

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lianxin.problems import Problem, problem_response

log = logging.getLogger(__name__)

# Seconds a client is asked to wait: about what a PostgreSQL restart or fail-over takes.
RETRY_AFTER_SECONDS = 5

# SQLSTATEs of "not now": class 08 (connection exception: refused, dropped, does not exist),
# 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up, in crash
# recovery, not yet accepting connections: what a restarted PostgreSQL says for seconds),
# 53300 too many connections.
_UNREACHABLE_STATE_CLASSES = ("08",)
_UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})

# The socket's errors of a peer that is not there (a file error stays a 500).
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,
    }
)

# asyncpg's InterfaceError is raised for misuse too (a bug); these words are its lost connection.
_CLOSED_CONNECTION = ("connection is closed", "connection was closed", "connection has been closed")


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached (not that a statement failed)."""
    if isinstance(error, BaseExceptionGroup):  # every failure in it an outage, not one bug
        return all(database_unreachable(e) for e in error.exceptions)
    return any(_says_unreachable(e) for e in _causes(error))


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what it wraps: `raise … from` and SQLAlchemy's `.orig`, without loops."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, sa.DBAPIError) and isinstance(current.orig, BaseException):
            yield from (c for c in _causes(current.orig) if id(c) not in seen)
        current = current.__cause__


def _says_unreachable(error: BaseException) -> bool:
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.TimeoutError | sa.DisconnectionError):  # the pool waited in vain
        return True
    state = getattr(error, "sqlstate", None)  # asyncpg's errors and SQLAlchemy's adaptation
    if isinstance(state, str) and (
        state.startswith(_UNREACHABLE_STATE_CLASSES) or state in _UNREACHABLE_STATES
    ):
        return True
    if isinstance(error, asyncpg.exceptions.InterfaceError | sa.InterfaceError):
        return any(words in str(error).lower() for words in _CLOSED_CONNECTION)
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True  # incl. ConnectionRefusedError, ConnectionResetError, asyncio's timeout
    if isinstance(error, OSError):
        # asyncio's connect to every address of a name, each refused: "Multiple exceptions"
        return error.errno in _NETWORK_ERRNOS or str(error).startswith("Multiple exceptions")
    return False


def unavailable_response(request: Request) -> JSONResponse:
    return problem_response(
        request,
        Problem(
            503,
            "Service Unavailable",
            "the service's database cannot be reached; retry after the delay given",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ),
    )


class OutageGuard:
    """ASGI middleware, outside every other: an error that escaped them all (raised in a
    middleware, such as the idempotency keys' claim, where no exception handler reaches) and
    says the database is unreachable is answered 503, if no answer has begun."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False  # an answer begun cannot be taken back

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if scope["type"] != "http" or started or not database_unreachable(error):
                raise  # a real fault (or the lifespan's): the server's own handling and log
            request = Request(scope)
            log.warning("database unreachable on %s %s: %s", scope["method"], scope["path"], error)
            await unavailable_response(request)(scope, receive, send)


def install_outage_handler(app: FastAPI) -> None:
    """Routes' errors are answered where they are raised (so a middleware around them, such as
    the idempotency keys', sees a 503 and lets its key go); `OutageGuard`, added last, catches
    what is raised outside the routes."""

    async def _unreachable(request: Request, error: Exception) -> JSONResponse:
        if not database_unreachable(error):
            raise error  # a real fault: the server's own 500 handling and its log
        log.warning("database unreachable on %s %s: %s", request.method, request.url.path, error)
        return unavailable_response(request)

    raised = (
        sa.SQLAlchemyError,
        asyncpg.exceptions.PostgresError,
        asyncpg.exceptions.InterfaceError,
        OSError,  # incl. ConnectionError and TimeoutError
        ExceptionGroup,
    )
    for kind in raised:
        app.add_exception_handler(kind, _unreachable)
