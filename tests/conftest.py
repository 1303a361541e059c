"""Cross-service fixtures: the whole platform as real processes on real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from nats.js.errors import BadRequestError, NotFoundError

from lianxin.auth import KeptTokens
from lianxin.demo import GRID_NODES, load_demo
from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.demo.lists import load_lists
from lianxin.demo.volunteering import load_volunteering
from lianxin.http_clients import async_client, get, sync_client
from lianxin.messaging.connection import connect
from lianxin.messaging.streams import STREAMS, all_consumers
from lianxin.runtime import platform as rt
from lianxin.runtime.platform import PLATFORM_SECRET
from lianxin.runtime.processes import free_port, spawn, stop
from lianxin.testing.databases import Templates
from lianxin.testing.documented import DocumentedAnswers
from lianxin.testing.infrastructure import NatsServer, nats_server
from lianxin.testing.plugin import reset_streams, session_dir

TOKEN_REUSED_FOR = 10 * 60  # seconds; organisation's access tokens live 15 minutes


@dataclass
class Platform:
    """Five service processes, their logs and their spans, shared by the session's tests."""

    services: dict[str, rt.ServiceProcess]
    nats_url: str
    server_url: str
    prefix: str
    workdir: Path
    nats_handle: NatsServer | str
    # What was copied aside, by the layers loaded (("demo",), ("demo", "lists"), …).
    snapshots: dict[tuple[str, ...], Snapshot] = field(default_factory=dict)
    cleaned: dict[str, int] = field(default_factory=dict)  # per stream, deleted up to here
    # Tokens live 15 minutes; a run on a busy machine lasts longer than that.
    _tokens: KeptTokens = field(default_factory=lambda: KeptTokens(TOKEN_REUSED_FOR))
    _documented: dict[str, DocumentedAnswers] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.services[service].url

    def token(self, username: str = "platform", secret: str = PLATFORM_SECRET) -> str:
        """A bearer token from organisation: the platform's own client, or a person's password."""
        return self._tokens.get(
            self.url("organisation"), username, secret, client=username == "platform"
        )

    def http(self, service: str, token: str | None = None) -> httpx.Client:
        """A client of `service`, calling as the platform unless given another token; each
        JSON answer it gets is checked against the service's OpenAPI document
        (`answers_as_documented` fails the test that got one that is not)."""
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        hooks = {"response": [self.documented(service).check]}
        return sync_client(
            base_url=self.url(service), timeout=10, headers=headers, event_hooks=hooks
        )

    def documented(self, service: str) -> DocumentedAnswers:
        """The checker of `service`'s answers against its own document, read once."""
        if service not in self._documented:
            document = get(self.url(service) + "/openapi.json", timeout=30)
            document.raise_for_status()
            self._documented[service] = DocumentedAnswers(document.json())
        return self._documented[service]

    def take_undocumented(self) -> list[str]:
        """The answers since the last call that were not what their document says."""
        wrong = [line for checker in self._documented.values() for line in checker.wrong]
        for checker in self._documented.values():
            checker.wrong.clear()
        return wrong

    def console_as(self, username: str) -> httpx.Client:
        """The console, signed in as a demo account (the client keeps the session cookie)."""
        console = self.console_visitor()
        answer = console.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert answer.status_code == 303 and "lianxin_token" in console.cookies, answer.text
        console.headers["X-CSRF-Token"] = console.cookies["lianxin_csrf"]  # renewed at sign-in
        return console

    def console_visitor(self) -> httpx.Client:
        """The console as a browser that opened the login page: its every POST carries the
        session's CSRF token, as the page's script adds it."""
        console = sync_client(base_url=self.url("console"), timeout=20)
        console.get("/login").raise_for_status()
        console.headers["X-CSRF-Token"] = console.cookies["lianxin_csrf"]
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

        return run_async(info())

    def publish(self, subject: str, payload: bytes, headers: dict[str, str] | None = None) -> None:
        """Publish to JetStream as an outside system would, and wait for the stream's ack."""

        async def publish():
            nc = await connect(self.nats_url, "lianxin-test")
            try:
                await nc.jetstream().publish(subject, payload, headers=headers)
            finally:
                await nc.close()

        run_async(publish())

    def log(self, service: str) -> str:
        return (self.workdir / "logs" / f"{service}.log").read_text(errors="replace")


def run_async(coroutine):
    """`asyncio.run`, also beside Playwright's sync API, which keeps an event loop running in
    this thread for as long as a module's browser is open (see tests/browser/conftest.py): the
    coroutine then runs to its end in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


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


async def _busy(plat: Platform, js, http: httpx.AsyncClient) -> list[str]:
    """The consumers with work pending and the services with unsent events, all asked at once."""
    consumers = list(all_consumers())
    infos, outboxes = await asyncio.gather(
        asyncio.gather(*(js.consumer_info(spec.stream, spec.durable) for spec in consumers)),
        asyncio.gather(*(http.get(f"{plat.url(s)}/ops/outbox") for s in rt.DATABASE_SERVICES)),
    )
    busy = [
        spec.durable
        for spec, info in zip(consumers, infos, strict=True)
        if info.num_pending or info.num_ack_pending
    ]
    for service, answer in zip(rt.DATABASE_SERVICES, outboxes, strict=True):
        if answer.json()["unsent"]:
            busy.append(f"{service} outbox")
    return busy


async def _wait_quiet(plat: Platform, js) -> None:
    """Wait (a while) until no consumer has work pending and every outbox is empty."""
    headers = {"Authorization": f"Bearer {plat.token()}"}
    async with async_client(headers=headers, timeout=10) as http:
        for _ in range(200):
            if not await _busy(plat, js, http):
                return
            await asyncio.sleep(0.1)


async def _quiet(plat: Platform) -> None:
    nc = await connect(plat.nats_url, "lianxin-test-quiet")
    try:
        await _wait_quiet(plat, nc.jetstream())
    finally:
        await nc.close()


# Between tests: the platform goes back to where the test found it, without restarting anything.
# `platform` is an empty platform (every table and stream emptied; accounts and signing keys
# stay: logging in again is not what a test is about). `demo_platform` is the demo alliance: it
# is loaded over HTTP once per session (the first test asking for it pays ~20 s), then each
# service's tables are copied aside (a schema of the service's own test database) with every
# stream's last sequence. Before each later test every table is put back as copied (so whatever
# the previous test did — incidents, outbox and inbox rows, dead letters, webhook deliveries,
# but also a department's channels, a routing table, an account — is gone) and the streams lose
# every message published since (the incident traffic; on ORG, the changes a test made). A test
# never sees another's incidents; restoring costs well under a second. The demo's resources
# lists and volunteering (`LAYERS`, ~20 s each over HTTP) are layers on top of it, copied aside
# the same way the first time a test asks for them.
SNAPSHOT = "lianxin_test_"
KEEP_ON_WIPE = ("alembic_version", "accounts", "signing_keys")


@dataclass
class Snapshot:
    """What was copied aside once some layers were loaded and every event delivered."""

    schema: str  # in each service's database
    tables: dict[str, list[str]]  # per service, the tables that had rows, parents first
    sequences: dict[str, list[tuple[str, int | None]]]  # per service, (sequence, last value)
    stream_seqs: dict[str, int]  # per stream, its last sequence (0: it was empty)


def _check(plat: Platform) -> None:
    """A dead service fails the test at once, with its log; a NATS a test stopped is started."""
    for service in plat.services.values():
        if service.process.poll() is not None:
            tail = plat.log(service.name)[-3000:]
            raise RuntimeError(f"{service.name} exited ({service.process.returncode}):\n{tail}")
    if isinstance(plat.nats_handle, NatsServer) and not plat.nats_handle.running:
        plat.nats_handle.start()


def _forget_spans(plat: Platform) -> None:
    # The exporters open the file for each batch (append mode): removing it is safe.
    for path in plat.spans_dir.glob("*.jsonl"):
        path.unlink(missing_ok=True)


async def _public_tables(conn) -> list[str]:
    """Every table but alembic_version, parents before the tables referring to them."""
    names = [
        r["tablename"]
        for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version' ORDER BY tablename"
        )
    ]
    parents: dict[str, set[str]] = {name: set() for name in names}
    for r in await conn.fetch(
        "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent"
        " FROM pg_constraint WHERE contype = 'f'"
        " AND connamespace = 'public'::regnamespace"
    ):
        child, parent = r["child"].strip('"'), r["parent"].strip('"')
        if child in parents and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(name for name, needs in parents.items() if not needs - set(ordered))
        ready = ready or sorted(parents)  # a cycle: left to the statement's end-of-row checks
        for name in ready:
            ordered.append(name)
            del parents[name]
    return ordered


def _quoted(names) -> str:
    return ", ".join(f'public."{name}"' for name in names)


async def _retrying(attempt) -> None:
    """TRUNCATE locks every table while the services keep polling theirs: a deadlock with one
    of them is possible, and PostgreSQL then aborts one side; ours tries again."""
    for tries in range(5):
        try:
            return await attempt()
        except asyncpg.DeadlockDetectedError:
            if tries == 4:
                raise
            await asyncio.sleep(0.2)


async def _wipe_database(url: str, snapshots: list[str]) -> None:
    conn = await asyncpg.connect(url)
    try:
        tables = [t for t in await _public_tables(conn) if t not in KEEP_ON_WIPE]

        async def wipe():
            await conn.execute(f"TRUNCATE {_quoted(tables)} RESTART IDENTITY CASCADE")

        await _retrying(wipe)
        for schema in snapshots:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def _wipe(plat: Platform) -> None:
    """Wait until nothing is in flight, then empty every table and stream."""
    nc = await connect(plat.nats_url, "lianxin-test-reset")
    js = nc.jetstream()
    try:
        await _wait_quiet(plat, js)
        schemas = [snapshot.schema for snapshot in plat.snapshots.values()]
        await asyncio.gather(
            *(_wipe_database(plat.database_url(s), schemas) for s in rt.DATABASE_SERVICES)
        )
        for stream in STREAMS:
            await js.purge_stream(stream.name)
    finally:
        await nc.close()
    plat.snapshots.clear()
    plat.cleaned.clear()
    _forget_spans(plat)


async def _copy_aside(url: str, schema: str) -> tuple[list[str], list[tuple[str, int | None]]]:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        with_rows = []
        for table in await _public_tables(conn):
            await conn.execute(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
            if await conn.fetchval(f'SELECT count(*) FROM "{schema}"."{table}"'):
                with_rows.append(table)
        sequences = [
            (f'public."{r["sequencename"]}"', r["last_value"])
            for r in await conn.fetch(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
        ]
        return with_rows, sequences
    finally:
        await conn.close()


async def _with_triggers(conn) -> list[str]:
    """The tables with triggers of their own (volunteers' append-only ledger refuses a DELETE)."""
    rows = await conn.fetch(
        "SELECT DISTINCT tgrelid::regclass::text AS name FROM pg_trigger"
        " WHERE NOT tgisinternal AND tgrelid::regclass::text NOT LIKE '%.%'"
    )
    return sorted(r["name"].strip('"') for r in rows)


async def _put_back(url: str, schema: str, with_rows: list[str], sequences) -> None:
    """Every table emptied and refilled from the copy, in one transaction that holds them all
    (as TRUNCATE would: a service's write waits for it). Emptied by DELETE, children first:
    with a few demo rows per table that is several times cheaper than TRUNCATE, which makes
    new files for every table and index; TRUNCATE only where a trigger refuses a DELETE, or
    (everything) should a reference cycle make the order fail."""
    conn = await asyncpg.connect(url)
    try:
        tables = await _public_tables(conn)
        guarded = [t for t in await _with_triggers(conn) if t in tables]

        async def restore(everything: bool = False):
            async with conn.transaction():
                await conn.execute(f"LOCK TABLE {_quoted(tables)} IN ACCESS EXCLUSIVE MODE")
                if truncated := (tables if everything else guarded):
                    await conn.execute(f"TRUNCATE {_quoted(truncated)} CASCADE")
                for table in reversed(tables):  # children before their parents
                    if table not in truncated:
                        await conn.execute(f'DELETE FROM public."{table}"')
                for table in with_rows:
                    await conn.execute(
                        f'INSERT INTO public."{table}" SELECT * FROM "{schema}"."{table}"'
                    )
                for sequence, last_value in sequences:
                    if last_value is None:  # unused when copied: from its start again
                        await conn.execute(f"ALTER SEQUENCE {sequence} RESTART")
                    else:
                        await conn.execute("SELECT setval($1::regclass, $2)", sequence, last_value)

        try:
            await _retrying(restore)
        except asyncpg.ForeignKeyViolationError:
            await _retrying(lambda: restore(everything=True))
    finally:
        await conn.close()


async def _snapshot(plat: Platform, schema: str) -> Snapshot:
    copied = await asyncio.gather(
        *(_copy_aside(plat.database_url(s), schema) for s in rt.DATABASE_SERVICES)
    )
    nc = await connect(plat.nats_url, "lianxin-test-snapshot")
    try:
        js = nc.jetstream()
        seqs = {}
        for stream in STREAMS:
            state = (await js.stream_info(stream.name)).state
            seqs[stream.name] = state.last_seq if state.messages else 0
    finally:
        await nc.close()
    return Snapshot(
        schema=schema,
        tables={s: rows for s, (rows, _) in zip(rt.DATABASE_SERVICES, copied, strict=True)},
        sequences={s: seq for s, (_, seq) in zip(rt.DATABASE_SERVICES, copied, strict=True)},
        stream_seqs=seqs,
    )


async def _restore(plat: Platform, snapshot: Snapshot) -> None:
    """Wait until nothing is in flight, then put everything back as it was copied aside."""
    nc = await connect(plat.nats_url, "lianxin-test-restore")
    js = nc.jetstream()
    try:
        await _wait_quiet(plat, js)
        await asyncio.gather(
            *(
                _put_back(
                    plat.database_url(s), snapshot.schema, snapshot.tables[s], snapshot.sequences[s]
                )
                for s in rt.DATABASE_SERVICES
            )
        )
        for stream in STREAMS:
            state = (await js.stream_info(stream.name)).state
            kept = snapshot.stream_seqs[stream.name]
            if not kept:
                if state.messages:
                    await js.purge_stream(stream.name)
                continue
            # Deleted one by one (JetStream purges only from the start); sequences deleted
            # before leave gaps, which are skipped. (A layer's own messages are gone once a test
            # went back below it: its records are put back, its events are not sent again.)
            start = max(kept, plat.cleaned.get(stream.name, 0)) + 1
            for seq in range(max(start, state.first_seq), state.last_seq + 1):
                with contextlib.suppress(NotFoundError, BadRequestError):  # a gap
                    await js.delete_msg(stream.name, seq)
            plat.cleaned[stream.name] = state.last_seq
    finally:
        await nc.close()
    _forget_spans(plat)


def _load_demo(plat: Platform) -> None:
    """The demo alliance, and incidents (and everyone else) knowing of it.

    Without its people and party organisations: incidents does not use them, and they are two
    thirds of the demo's events (each one an outbox row, a publish and a delivery).
    """
    load_demo(plat.url("organisation"), PLATFORM_SECRET, people=False)
    with plat.http("incidents") as http:
        eventually(lambda: http.get("/departments").json(), timeout=60)
        # The whole demo tree (hundreds of nodes, one ORG event each): poll gently.
        eventually(
            lambda: len(http.get("/grid-nodes").json()) == len(GRID_NODES),
            timeout=60,
            interval=0.5,
        )


def _load_into(service: str, load) -> Callable[[Platform], None]:
    def loaded(plat: Platform) -> None:
        async def run() -> None:
            headers = {"Authorization": f"Bearer {plat.token()}"}
            base = plat.url(service)
            async with async_client(base_url=base, headers=headers, timeout=30) as http:
                await load(http)

        asyncio.run(run())

    return loaded


# What a test may ask for on top of the demo, each loaded as `lianxin demo` loads it.
LAYERS: dict[str, Callable[[Platform], None]] = {
    "demo": _load_demo,
    "lists": _load_into("resources", load_lists),  # offers, needs, meetings, wishes, projects
    "volunteering": _load_into("volunteers", load_volunteering),  # teams, activities, shop
}


def with_layers(plat: Platform, *layers: str) -> Platform:
    """The platform with the demo and `layers` on it, in that order. Each stack of layers is
    loaded once per session and copied aside (the longest stack copied before is put back and
    only the rest loaded); before each later test asking for it, put back as copied."""
    _check(plat)
    stack = ("demo", *layers)
    have = max((n for n in range(len(stack) + 1) if stack[:n] in plat.snapshots), default=0)
    if have:
        run_async(_restore(plat, plat.snapshots[stack[:have]]))
    else:
        run_async(_wipe(plat))
    for n in range(have + 1, len(stack) + 1):
        # In a thread of its own: the loaders run event loops (see `run_async`).
        with ThreadPoolExecutor(1) as thread:
            thread.submit(LAYERS[stack[n - 1]], plat).result()
        # Every event delivered, so none is in flight when it is copied.
        run_async(_quiet(plat))
        plat.snapshots[stack[:n]] = run_async(_snapshot(plat, SNAPSHOT + "_".join(stack[:n])))
    return plat


async def _create_databases(templates: Templates, prefix: str) -> None:
    for service in rt.DATABASE_SERVICES:
        await templates.copy(service, f"{prefix}_{service}")


@pytest.fixture(scope="session")
def platform_processes(postgres_url: str, database_templates: Templates):
    """The five services as real processes, on databases and a NATS server of their own.

    Started once per session (five Python processes take seconds to start; the platform is put
    back between tests, see `platform` and `demo_platform`). Its databases are copied from the
    session's template databases (the integration tests have usually made them already, so no
    migration runs again). Its NATS is not the one the integration tests share: a test may stop
    and restart it (`nats_handle`).
    """
    prefix = "t" + uuid.uuid4().hex[:12]
    with session_dir("platform") as workdir, nats_server(workdir / "nats") as handle:
        nats_url = handle if isinstance(handle, str) else handle.url
        run_async(reset_streams(nats_url, delete=isinstance(handle, str)))
        run_async(_create_databases(database_templates, prefix))
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
            _check(plat)
            run_async(_quiet(plat))
        finally:
            rt.stop_services(list(services.values()))


@pytest.fixture
def platform(platform_processes: Platform) -> Iterator[Platform]:
    """The platform with nothing in it but its accounts."""
    _check(platform_processes)
    run_async(_wipe(platform_processes))
    yield platform_processes
    _answered_as_documented(platform_processes)


@pytest.fixture
def demo_platform(platform_processes: Platform) -> Iterator[Platform]:
    """The platform with the demo alliance loaded, and every service knowing of it."""
    yield with_layers(platform_processes)
    _answered_as_documented(platform_processes)


def _answered_as_documented(plat: Platform) -> None:
    """A test whose clients (`Platform.http`) got an answer that is not what the service's
    OpenAPI document says fails: a stranger's client is written from that document alone."""
    wrong = plat.take_undocumented()
    assert not wrong, "answers unlike the OpenAPI documents:\n" + "\n".join(wrong)


@pytest.fixture
def lists_platform(demo_platform: Platform) -> Platform:
    """The demo alliance with its resources lists (`lianxin.demo.lists`). (Asking for the demo
    first: a test's other fixtures asking for it then cannot put the demo back over the lists.)"""
    return with_layers(demo_platform, "lists")


@pytest.fixture
def volunteering_platform(demo_platform: Platform) -> Platform:
    """The demo alliance with its volunteering (`lianxin.demo.volunteering`)."""
    return with_layers(demo_platform, "volunteering")


__all__ = ["Platform", "eventually", "run_async", "stop"]
