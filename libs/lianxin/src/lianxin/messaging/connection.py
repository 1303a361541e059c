"""Connecting to NATS the same way everywhere: reconnect forever, retry the first connect, and
log in with connect options, never with a user and password inside a server's URL."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

import nats
from nats.aio.client import Client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NatsLogin:
    """How a client proves who it is: a user and password, or a credentials file (`.creds`)."""

    user: str = ""
    password: str = ""
    credentials_file: str = ""

    def options(self) -> dict[str, str]:
        """nats-py's connect options for this login (none for an open server)."""
        if self.credentials_file:
            return {"user_credentials": self.credentials_file}
        if self.user:
            return {"user": self.user, "password": self.password}
        return {}


async def connect(
    url: str,
    name: str,
    *,
    login: NatsLogin | None = None,
    first_attempt_timeout: float = 60.0,
    **options,
) -> Client:
    """Connect, retrying the first connection for up to `first_attempt_timeout` seconds (NATS may
    still be starting), then reconnecting forever once connected.

    `url` is one server or several, comma-separated. A login inside the URL (the older form,
    `nats://user:pass@host`) is taken out of it and sent as options like `login`: nats-py sends a
    URL's login only to that very server, so the servers a cluster advertises for reconnects
    would refuse the client ("Authorization Violation").

    SIGTERM or SIGINT while the first connection is awaited ends the wait (CancelledError): a
    service starting up (uvicorn only notes a signal until its startup is over) must stop when
    told, not once NATS answers."""
    login = login or login_in(url)
    attempt = nats.connect(
        servers(url),
        name=name,
        error_cb=_log_error,
        disconnected_cb=_log_disconnected,
        reconnected_cb=_log_reconnected,
        # Also the first connection's retries: nats-py tries the servers in turn until one
        # answers, and the timeout below is what bounds them.
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        # A login checks a bcrypt hash: on a busy host that alone can take over 2 s.
        connect_timeout=5,
        **login.options(),
        **options,
    )
    try:
        with _stop_signals_cancel(asyncio.current_task()):
            return await asyncio.wait_for(attempt, first_attempt_timeout)
    except TimeoutError:
        raise TimeoutError(
            f"NATS at {without_user(url)} did not answer within {first_attempt_timeout}s"
        ) from None


@contextmanager
def _stop_signals_cancel(task: asyncio.Task | None) -> Iterator[None]:
    """While in the block, SIGTERM and SIGINT also cancel `task`, besides doing what they did
    (uvicorn's handler notes the signal, and re-raises it once the server has stopped)."""
    if task is None or threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    loop = asyncio.get_running_loop()
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

    def cancel(signum: int, frame) -> None:
        loop.call_soon_threadsafe(task.cancel)  # safe from a handler, unlike task.cancel()
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)

    for signum in STOP_SIGNALS:
        signal.signal(signum, cancel)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def servers(url: str) -> list[str]:
    """`NATS_URL` may list several servers of a cluster, separated by commas; each is given
    without any login (see `connect`)."""
    return [urlunsplit(parts._replace(netloc=host)) for parts, host in _servers(url)]


def login_in(url: str) -> NatsLogin:
    """The user and password written into `url`'s first server that has them, if any."""
    for parts, _host in _servers(url):
        if parts.username:
            return NatsLogin(unquote(parts.username), unquote(parts.password or ""))
    return NatsLogin()


def with_user(url: str, user: str, password: str) -> str:
    """`url` (one server or several, comma-separated) with the user and password in each."""
    return ",".join(
        urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))
        for parts, host in _servers(url)
    )


def without_user(url: str) -> str:
    """`url` with any user and password taken out: what may be shown or given to a department."""
    return ",".join(servers(url))


def _servers(url: str) -> Iterator[tuple[SplitResult, str]]:
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
