"""Connecting to NATS the same way everywhere: reconnect forever, retry the first connect."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit, urlunsplit

import nats
from nats.aio.client import Client

log = logging.getLogger(__name__)


async def connect(url: str, name: str, *, first_attempt_timeout: float = 60.0, **options) -> Client:
    """Connect, retrying the first connection for a while: NATS may still be starting."""
    deadline = asyncio.get_running_loop().time() + first_attempt_timeout
    while True:
        try:
            return await nats.connect(
                servers(url),
                name=name,
                error_cb=_log_error,
                disconnected_cb=_log_disconnected,
                reconnected_cb=_log_reconnected,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=2,
                **options,
            )
        except (OSError, nats.errors.NoServersError, TimeoutError) as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise
            log.info("waiting for NATS at %s: %s", without_user(url), exc)
            await asyncio.sleep(0.5)


def servers(url: str) -> list[str]:
    """`NATS_URL` may list several servers of a cluster, separated by commas."""
    return [u.strip() for u in url.split(",") if u.strip()]


def with_user(url: str, user: str, password: str) -> str:
    """`url` (one server or several, comma-separated) with the user and password in each."""
    return ",".join(
        urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))
        for parts, host in _servers(url)
    )


def without_user(url: str) -> str:
    """`url` with any user and password taken out: what may be shown or given to a department."""
    return ",".join(urlunsplit(parts._replace(netloc=host)) for parts, host in _servers(url))


def _servers(url: str):
    for server in url.split(","):
        if server.strip():
            parts = urlsplit(server.strip())
            yield parts, parts.netloc.rsplit("@", 1)[-1]


async def _log_error(exc: Exception) -> None:
    # nats-py's own logging prints a traceback per reconnect attempt: one line is enough.
    log.warning("nats: %s", str(exc) or type(exc).__name__)


async def _log_disconnected() -> None:
    log.info("nats: disconnected")


async def _log_reconnected() -> None:
    log.info("nats: reconnected")
