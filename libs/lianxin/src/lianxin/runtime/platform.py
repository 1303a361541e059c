"""Bringing the whole platform up on one machine: databases, streams, the five services."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from cryptography.fernet import Fernet

from lianxin import http_clients
from lianxin.messaging.connection import NatsLogin, connect
from lianxin.messaging.streams import declare_all
from lianxin.persistence.migrations import upgrade
from lianxin.runtime.processes import spawn, stop
from lianxin.settings import DEFAULT_PORTS

# The platform client's secret on a laptop; set LIANXIN_PLATFORM_SECRET anywhere else.
PLATFORM_SECRET = os.environ.get("LIANXIN_PLATFORM_SECRET", "lianxin-platform-dev")

_LAUNCH_ENCRYPTION_KEY = Fernet.generate_key().decode()
_LAUNCH_RATING_LINK_KEY = secrets.token_urlsafe(32)

SERVICES = ("organisation", "incidents", "resources", "volunteers", "console")
DATABASE_SERVICES = ("organisation", "incidents", "resources", "volunteers")


def database_url(server_url: str, service: str, prefix: str = "lianxin") -> str:
    """The service's own database, `<prefix>_<service>`, on the server `server_url` names."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{prefix}_{service}"))


async def create_databases(
    server_url: str, services: tuple[str, ...] = DATABASE_SERVICES, prefix: str = "lianxin"
) -> None:
    admin = urlsplit(server_url)._replace(path="/postgres")
    conn = await asyncpg.connect(urlunsplit(admin).replace("+asyncpg", ""))
    try:
        for service in services:
            name = f"{prefix}_{service}"
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def migrate(
    server_url: str, services: tuple[str, ...] = DATABASE_SERVICES, prefix: str = "lianxin"
) -> None:
    for service in services:
        upgrade(service, database_url(server_url, service, prefix))


async def declare_streams(nats_url: str, login: NatsLogin | None = None) -> None:
    nc = await connect(nats_url, "lianxin-bootstrap", login=login)
    try:
        await declare_all(nc.jetstream())
    finally:
        await nc.close()


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def service_env(
    service: str,
    server_url: str,
    nats_url: str,
    spans_file: Path | None,
    ports: dict[str, int],
    prefix: str = "lianxin",
    nats_login: NatsLogin | None = None,
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SERVICE_NAME=service,
        DATABASE_URL=database_url(server_url, service, prefix),
        NATS_URL=nats_url,
        LIANXIN_PLATFORM_SECRET=PLATFORM_SECRET,
        **{f"{other.upper()}_URL": f"http://127.0.0.1:{port}" for other, port in ports.items()},
    )
    # A platform on one machine: its webhook receivers (tests', a developer's) are on loopback,
    # and its signing keys are encrypted with a key of its own (`lianxin up` keeps one in its
    # data dir; otherwise one for this launcher's lifetime). Production sets both itself.
    env.setdefault("LIANXIN_WEBHOOKS_ALLOW_PRIVATE", "1")
    env.setdefault("LIANXIN_KEYS_ENCRYPTION_KEY", _LAUNCH_ENCRYPTION_KEY)
    env.setdefault("LIANXIN_RATING_LINK_KEY", _LAUNCH_RATING_LINK_KEY)
    if nats_login is not None:  # as options (ServiceSettings.nats_login), never in the URL
        env.update(
            NATS_USER=nats_login.user,
            NATS_PASSWORD=nats_login.password,
            NATS_CREDENTIALS=nats_login.credentials_file,
        )
    if spans_file is not None:
        env["LIANXIN_SPANS_FILE"] = str(spans_file)
        # The trace view of a laptop platform shows each SQL statement; elsewhere they cost.
        env.setdefault("LIANXIN_SQL_SPANS", "1")
    return env


def start_service(
    service: str,
    *,
    server_url: str,
    nats_url: str,
    ports: dict[str, int],
    log_dir: Path,
    spans_dir: Path | None = None,
    prefix: str = "lianxin",
    nats_login: NatsLogin | None = None,
    role: str | None = None,
    process_name: str | None = None,
) -> ServiceProcess:
    """`role`: `LIANXIN_ROLE` for the process (`lianxin.service`; unset: everything);
    `process_name`: its name, and its log and spans files', when it is one of several of
    `service` (`incidents-2`), listening on `ports[service]`. The spans files share one folder,
    which the console's trace view reads whole."""
    log_dir.mkdir(parents=True, exist_ok=True)
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{service}.entrypoints.app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(ports[service]),
        "--no-access-log",
    ]
    name = process_name or service
    spans_file = spans_dir / f"{name}.jsonl" if spans_dir is not None else None
    env = service_env(service, server_url, nats_url, spans_file, ports, prefix, nats_login)
    if role is not None:
        env["LIANXIN_ROLE"] = role
    process = spawn(args, log_file=log_dir / f"{name}.log", env=env)
    return ServiceProcess(name, ports[service], process)


def wait_ready(services: list[ServiceProcess], timeout: float = 300.0) -> None:
    # Generous: five Python processes starting at once on a busy 2-core host take minutes.
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending:
        for svc in list(pending):
            if svc.process.poll() is not None:
                raise RuntimeError(f"{svc.name} exited with {svc.process.returncode}")
            try:
                if http_clients.get(f"{svc.url}/readyz", timeout=1).status_code == 200:
                    pending.remove(svc)
            except httpx.HTTPError:
                pass
        if pending and time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {timeout}s: {[s.name for s in pending]}")
        time.sleep(0.2)


def stop_services(services: list[ServiceProcess]) -> None:
    for svc in services:
        if svc.process.poll() is None:
            svc.process.terminate()
    for svc in services:
        stop(svc.process)


def default_ports() -> dict[str, int]:
    return {s: int(os.environ.get(f"{s.upper()}_PORT", DEFAULT_PORTS[s])) for s in SERVICES}


def bootstrap(server_url: str, nats_url: str, nats_login: NatsLogin | None = None) -> None:
    """Databases, migrations and streams: everything the services need before they start."""
    asyncio.run(create_databases(server_url))
    migrate(server_url)
    asyncio.run(declare_streams(nats_url, nats_login))
