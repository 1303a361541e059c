"""While a service's PostgreSQL is unreachable, its clients get 503 with `Retry-After`, not 500.

A refused or dropped database connection is not a fault of the request nor a bug of the service:
the same request succeeds once the database is back, so the answer says so (RFC 9110 §15.6.4)
as a problem document, and a client or a load balancer retries instead of giving up.
"""

from __future__ import annotations

import logging

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa

from lianxin.problems import Problem, problem_response

log = logging.getLogger(__name__)

# Seconds a client is asked to wait: about what a PostgreSQL restart or fail-over takes.
RETRY_AFTER_SECONDS = 5

# What asyncpg raises when it cannot reach the server or loses its connection. SQLAlchemy wraps
# them (as `DBAPIError`, `.orig` holding asyncpg's error) once a connection was made; a connect
# that is refused surfaces as the bare `OSError` (ConnectionRefusedError, a DNS failure).
_ASYNCPG_UNREACHABLE = (
    asyncpg.exceptions.PostgresConnectionError,  # incl. CannotConnectNowError (starting up)
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InterfaceError,
    ConnectionError,
    OSError,
    TimeoutError,
)


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached (not that a statement failed)."""
    if isinstance(error, sa.DBAPIError):
        return error.connection_invalidated or database_unreachable(error.orig)
    if isinstance(error, sa.TimeoutError):  # the pool waited for a connection in vain
        return True
    cause = error.__cause__
    return isinstance(error, _ASYNCPG_UNREACHABLE) or (
        cause is not None and cause is not error and database_unreachable(cause)
    )


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


def install_outage_handler(app: FastAPI) -> None:
    async def _unreachable(request: Request, error: Exception) -> JSONResponse:
        if not database_unreachable(error):
            raise error  # a real fault: the server's own 500 handling and its log
        log.warning("database unreachable on %s %s: %s", request.method, request.url.path, error)
        return unavailable_response(request)

    raised = (sa.DBAPIError, sa.TimeoutError, OSError, *_ASYNCPG_UNREACHABLE[:4])
    for kind in raised:
        app.add_exception_handler(kind, _unreachable)
