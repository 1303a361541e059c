"""Cross-service fixtures: the whole platform as real processes on real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from lianxin.auth import fetch_token
from lianxin.demo import GRID_NODES, load_demo
from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.messaging.connection import connect
from lianxin.messaging.streams import STREAMS, all_consumers
from lianxin.runtime import platform as rt
from lianxin.runtime.platform import PLATFORM_SECRET
from lianxin.runtime.processes import free_port, spawn, stop
from lianxin.testing.infrastructure import NatsServer, nats_server
from lianxin.testing.plugin import reset_streams


@dataclass
class Platform:
    """Five service processes, their logs and their spans, for one test."""

    services: dict[str, rt.ServiceProcess]
    nats_url: str
    server_url: str
    prefix: str
    workdir: Path
    nats_handle: NatsServer | str
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.services[service].url

    def token(self, username: str = "platform", secret: str = PLATFORM_SECRET) -> str:
        """A bearer token from organisation: the platform's own client, or a person's password."""
        key = (username, secret)
        if key not in self._tokens:
            self._tokens[key] = fetch_token(
                self.url("organisation"), username, secret, client=username == "platform"
            )
        return self._tokens[key]

    def http(self, service: str, token: str | None = None) -> httpx.Client:
        """A client of `service`, calling as the platform unless given another token."""
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return httpx.Client(base_url=self.url(service), timeout=10, headers=headers)

    def console_as(self, username: str) -> httpx.Client:
        """The console, signed in as a demo account (the client keeps the session cookie)."""
        console = httpx.Client(base_url=self.url("console"), timeout=20)
        answer = console.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert answer.status_code == 303 and "lianxin_token" in console.cookies, answer.text
        return console

    def database_url(self, service: str) -> str:
        return rt.database_url(self.server_url, service, self.prefix)

    @property
    def spans_dir(self) -> Path:
        return self.workdir / "spans"

    def spans(self) -> list[dict]:
        found = []
        for path in self.spans_dir.glob("*.jsonl"):
            found += [json.loads(line) for line in path.read_text().splitlines() if line]
        return found

    def dept_sim(self, department: str, limit: int) -> subprocess.Popen:
        """`lianxin dept-sim` as its own process, as a department would run it."""
        env = dict(os.environ, NATS_URL=self.nats_url)
        env["LIANXIN_SPANS_FILE"] = str(self.spans_dir / f"department-{department}.jsonl")
        args = [sys.executable, "-m", "lianxin.cli", "dept-sim", "-d", department]
        args += ["--limit", str(limit), "--resolve-after", "0.1"]
        return spawn(args, env=env, log_file=self.workdir / f"dept-{department}.log")

    def consumer(self, stream: str, durable: str):
        """The durable consumer's state, as the NATS server reports it."""

        async def info():
            nc = await connect(self.nats_url, "lianxin-test")
            try:
                return await nc.jetstream().consumer_info(stream, durable)
            finally:
                await nc.close()

        return asyncio.run(info())

    def publish(self, subject: str, payload: bytes, headers: dict[str, str] | None = None) -> None:
        """Publish to JetStream as an outside system would, and wait for the stream's ack."""

        async def publish():
            nc = await connect(self.nats_url, "lianxin-test")
            try:
                await nc.jetstream().publish(subject, payload, headers=headers)
            finally:
                await nc.close()

        asyncio.run(publish())

    def log(self, service: str) -> str:
        return (self.workdir / "logs" / f"{service}.log").read_text(errors="replace")


def eventually(check, timeout: float = 20.0, interval: float = 0.1):
    """Poll `check` until it returns something truthy (and return that), or fail."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


async def _wait_quiet(plat: Platform, js) -> None:
    """Wait (a while) until no consumer has work pending and every outbox is empty."""
    for _ in range(200):
        busy = [
            spec.durable
            for spec in all_consumers()
            if (info := await js.consumer_info(spec.stream, spec.durable)).num_pending
            or info.num_ack_pending
        ]
        for service in rt.DATABASE_SERVICES:
            with plat.http(service) as http:
                if http.get("/ops/outbox").json()["unsent"]:
                    busy.append(f"{service} outbox")
        if not busy:
            return
        await asyncio.sleep(0.1)


async def _quiet(plat: Platform) -> None:
    nc = await connect(plat.nats_url, "lianxin-test-quiet")
    try:
        await _wait_quiet(plat, nc.jetstream())
    finally:
        await nc.close()


async def _quiet_and_reset(plat: Platform) -> None:
    """Wait until nothing is in flight, then empty every table and stream for the next test
    (accounts and signing keys stay: logging in again is not what a test is about)."""
    nc = await connect(plat.nats_url, "lianxin-test-reset")
    js = nc.jetstream()
    try:
        await _wait_quiet(plat, js)
        for service in rt.DATABASE_SERVICES:
            conn = await asyncpg.connect(plat.database_url(service))
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename NOT IN ('alembic_version', 'accounts', 'signing_keys')"
            )
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            await conn.close()
        for stream in STREAMS:
            await js.purge_stream(stream.name)
    finally:
        await nc.close()


@pytest.fixture(scope="module")
def platform_processes(postgres_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The five services as real processes, on a NATS server and databases of their own.

    Started once per test module (starting five Python processes costs seconds); the `platform`
    fixture empties every table and stream between tests, so each test still starts from nothing.
    """
    workdir = tmp_path_factory.mktemp("platform")
    prefix = "t" + uuid.uuid4().hex[:12]
    with nats_server(workdir / "nats") as handle:
        nats_url = handle if isinstance(handle, str) else handle.url
        asyncio.run(reset_streams(nats_url, delete=isinstance(handle, str)))
        asyncio.run(rt.create_databases(postgres_url, prefix=prefix))
        rt.migrate(postgres_url, prefix=prefix)
        ports = {service: free_port() for service in rt.SERVICES}
        services = {
            service: rt.start_service(
                service,
                server_url=postgres_url,
                nats_url=nats_url,
                ports=ports,
                log_dir=workdir / "logs",
                spans_dir=workdir / "spans",
                prefix=prefix,
            )
            for service in rt.SERVICES
        }
        plat = Platform(services, nats_url, postgres_url, prefix, workdir, handle)
        try:
            rt.wait_ready(list(services.values()))
            yield plat
            # Let the last test's events settle: a service stopped mid-batch can take the
            # whole stop timeout to exit.
            asyncio.run(_quiet(plat))
        finally:
            rt.stop_services(list(services.values()))


@pytest.fixture
def platform(platform_processes: Platform) -> Platform:
    asyncio.run(_quiet_and_reset(platform_processes))
    return platform_processes


@pytest.fixture
def demo_platform(platform: Platform) -> Platform:
    """The platform with the demo alliance loaded, and incidents already knowing of it.

    Without its people and party organisations: incidents does not use them, and they are two
    thirds of the demo's events (each one an outbox row, a publish and a delivery).
    """
    load_demo(platform.url("organisation"), PLATFORM_SECRET, people=False)
    with platform.http("incidents") as http:
        eventually(lambda: http.get("/departments").json(), timeout=60)
        # The whole demo tree (hundreds of nodes, one ORG event each): poll gently.
        eventually(
            lambda: len(http.get("/grid-nodes").json()) == len(GRID_NODES),
            timeout=60,
            interval=0.5,
        )
    # And the rest of the demo's events delivered, so none is in flight when the test begins.
    asyncio.run(_quiet(platform))
    return platform


__all__ = ["Platform", "eventually", "stop"]
