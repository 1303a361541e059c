"""pytest plugin: `-p lianxin.testing.plugin` (set in the root pyproject).

One PostgreSQL server and one NATS server for the whole session (see `infrastructure` for where
they come from), shared by every test that needs them:

- `postgres_url`: admin URL of the session's PostgreSQL server;
- `module_database`: one database per test module, created on first use, dropped at its end;
- `database`: that database, emptied for the test (every schema dropped): what a test that
  builds its own schema (migrations, `create_all`) starts from;
- `migrated_database`: `await migrated_database("incidents")` is that database migrated to the
  service's head with no rows in it. Migrating costs a second; when the previous test left the
  same service's schema untouched, its tables are truncated instead;
- `nats`: the session's NATS server with the declared streams and consumers, recreated for the
  test (whatever the previous test declared, published or deleted is gone);
- `nats_handle`: a NATS server of the test's own, for tests that stop and restart it (a `str`
  when the environment names the only server: such a test then skips).

Layers: every test is marked `unit`, `integration` or `e2e` at collection (see `_layer`), so
`-m unit` runs the pure domain tests alone; a unit test that opens a socket or starts a process
anyway fails, saying so. pytest-timeout bounds every test (`timeout` in the root pyproject); e2e
tests get `E2E_TIMEOUT` unless marked otherwise, their first one starting the platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from lianxin.testing.infrastructure import NatsServer, env_url, nats_server, postgres_server

# Heavy imports (alembic with every service's migrations, nats-py) are made where they are used:
# `make test-unit` does not pay for them.

E2E_TIMEOUT = 300  # s: the first e2e test of a session starts five services and loads the demo

# ---------------------------------------------------------------------------------------------
# PostgreSQL: one server, a database per module


@contextlib.contextmanager
def session_dir(name: str) -> Iterator[Path]:
    """A folder for a server that lives as long as the session, outside pytest's numbered
    `pytest-N` folders: a second pytest session on the machine (another worktree) prunes old
    ones, and would pull a running server's data from under it."""
    path = Path(tempfile.mkdtemp(prefix=f"lianxin-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with session_dir("pg") as workdir, postgres_server(workdir) as url:
        yield url


def _plain(url: str) -> str:
    return url.replace("+asyncpg", "").replace("+psycopg2", "")


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class ModuleDatabase:
    """A test module's database, and what is known of what the last test left in it."""

    def __init__(self, server_url: str, name: str) -> None:
        self.name = name
        self.url = _with_database(server_url, name)
        self._admin = _plain(_with_database(server_url, "postgres"))
        self._empty = False
        # Each service's schema as its migrations build it (see `_fingerprint`).
        self._heads: dict[str, str] = {}

    async def create(self) -> None:
        admin = await asyncpg.connect(self._admin)
        try:
            await admin.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await admin.close()
        self._empty = True

    async def drop(self) -> None:
        admin = await asyncpg.connect(self._admin)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()

    def used(self) -> None:
        """A test ran on it: it may have changed anything."""
        self._empty = False

    async def empty(self) -> str:
        """Drop every schema (tables, types, sequences with them); leave an empty `public`."""
        if not self._empty:
            conn = await asyncpg.connect(_plain(self.url))
            try:
                schemas = await conn.fetch(
                    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
                    " AND nspname <> 'information_schema'"
                )
                for row in schemas:
                    await conn.execute(f'DROP SCHEMA "{row["nspname"]}" CASCADE')
                await conn.execute("CREATE SCHEMA public")
            finally:
                await conn.close()
            self._empty = True
        return self.url

    async def migrated(self, service: str) -> str:
        """The service's schema at head, without a row: when the database holds exactly what
        the service's migrations build (same revision, tables and columns), its tables are
        truncated; otherwise it is emptied and migrated (a second or so)."""
        conn = await asyncpg.connect(_plain(self.url))
        try:
            if service in self._heads and await _fingerprint(conn) == self._heads[service]:
                await _truncate(conn)
                self._empty = False
                return self.url
        finally:
            await conn.close()
        from lianxin.persistence.migrations import upgrade

        await self.empty()
        await asyncio.to_thread(upgrade, service, self.url)
        self._empty = False
        conn = await asyncpg.connect(_plain(self.url))
        try:
            # Migrations that seed rows would be undone by a truncation: migrate each time then.
            if not await _tables_with_rows(conn):
                self._heads[service] = await _fingerprint(conn)
        finally:
            await conn.close()
        return self.url


async def _fingerprint(conn: asyncpg.Connection) -> str:
    """The migration revision and every column of every table, in one string."""
    return await conn.fetchval(
        "SELECT coalesce(("
        "  SELECT string_agg(version_num, ',') FROM alembic_version), '') || '|' ||"
        " coalesce(string_agg(c.table_schema || '.' || c.table_name || '.' || c.column_name"
        "   || ':' || c.data_type || ':' || c.is_nullable || ':' || coalesce(c.column_default, ''),"
        "   ',' ORDER BY c.table_schema, c.table_name, c.ordinal_position), '')"
        " FROM information_schema.columns c"
        " WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')"
    )


async def _data_tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        " AND tablename <> 'alembic_version'"
    )
    return [r["name"] for r in rows]


async def _tables_with_rows(conn: asyncpg.Connection) -> list[str]:
    return [t for t in await _data_tables(conn) if await conn.fetchval(f"SELECT count(*) FROM {t}")]


async def _truncate(conn: asyncpg.Connection) -> None:
    if tables := await _data_tables(conn):
        await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="module")
def module_database(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[ModuleDatabase]:
    db = ModuleDatabase(postgres_url, "t" + uuid.uuid4().hex[:12] + "_db")
    asyncio.run(db.create())
    yield db
    asyncio.run(db.drop())


@pytest.fixture
async def database(
    module_database: ModuleDatabase, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """A URL to an empty database (the module's, every schema dropped for this test).

    When the test also uses `migrated_database`, that fixture prepares the same database."""
    if "migrated_database" not in request.fixturenames:
        await module_database.empty()
    yield module_database.url
    module_database.used()


@pytest.fixture
async def migrated_database(
    module_database: ModuleDatabase,
) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """`await migrated_database(service)`: the module's database with the service's schema at
    head and no rows, for this test."""
    yield module_database.migrated
    module_database.used()


# ---------------------------------------------------------------------------------------------
# NATS: one server, the streams recreated for each test; a server of its own on request


@pytest.fixture(scope="session")
def nats_server_url() -> Iterator[str]:
    """The session's NATS server (with JetStream), shared by every test using `nats`."""
    with session_dir("nats") as workdir, nats_server(workdir) as handle:
        yield handle if isinstance(handle, str) else handle.url


@pytest.fixture
async def nats(nats_server_url: str) -> str:
    """The URL of the session's NATS server, its streams and consumers freshly declared."""
    await reset_streams(nats_server_url, delete=True, everything=not env_url(*_NATS_ENV))
    return nats_server_url


_NATS_ENV = ("TEST_NATS_URL", "NATS_URL")


@pytest.fixture
def nats_handle(tmp_path: Path) -> Iterator[NatsServer | str]:
    """A NATS server this test owns and may stop and start (or the environment's URL)."""
    with nats_server(tmp_path / "nats") as handle:
        yield handle


async def reset_streams(url: str, *, delete: bool, everything: bool = False) -> None:
    """Declare every stream and consumer; on a shared server, delete what was there first:
    the declared streams, or with `everything` every stream (a previous test's own too)."""
    from nats.js.errors import NotFoundError

    from lianxin.messaging.connection import connect
    from lianxin.messaging.streams import STREAMS, declare_all

    nc = await connect(url, "lianxin-test-setup")
    js = nc.jetstream()
    try:
        if delete:
            names = {stream.name for stream in STREAMS}
            if everything:
                names |= {info.config.name for info in await js.streams_info()}
            for name in sorted(names):
                with contextlib.suppress(NotFoundError):
                    await js.delete_stream(name)
        await declare_all(js)
    finally:
        await nc.close()


# ---------------------------------------------------------------------------------------------
# Layers
#
# By the fixtures a test uses, because they are what gives it I/O: a test whose fixture closure
# reaches the platform's processes is `e2e`; one reaching a database or NATS is `integration`;
# the rest are `unit`. A folder (`unit/`, `integration/`, `e2e/`, `browser/`) or an explicit
# marker can only raise the layer, never lower it: a test in `unit/` that asks for a database
# is still an integration test, and the folder layout being moved about right now cannot hide
# one among the unit tests. A few tests start servers themselves without a fixture (a
# nats-server with generated accounts, a webhook receiver): a module that uses one of the
# server starters below is `integration`. Anything else a unit test does over a socket or a
# child process fails it (see `_unit_guard`): the marking is checked, not trusted.

LAYERS = ("unit", "integration", "e2e")
E2E_FIXTURES = {"platform_processes"}
IO_FIXTURES = {
    "postgres_url",
    "module_database",
    "database",
    "migrated_database",
    "nats_server_url",
    "nats",
    "nats_handle",
}
SERVER_STARTERS = {
    "lianxin.runtime.nats.EmbeddedNats",
    "lianxin.runtime.nats.nats_server_binary",
    "lianxin.runtime.postgres.EmbeddedPostgres",
    "lianxin.runtime.processes.spawn",
    "lianxin.testing.infrastructure.nats_server",
    "lianxin.testing.infrastructure.postgres_server",
    "lianxin.testing.webhook_receiver.webhook_receiver",
}
FOLDERS = {"unit": "unit", "integration": "integration", "e2e": "e2e", "browser": "e2e"}


def _layer(item: pytest.Item) -> str:
    fixtures = set(getattr(item, "fixturenames", ()))
    found = ["unit"]
    if fixtures & E2E_FIXTURES:
        found.append("e2e")
    if fixtures & IO_FIXTURES:
        found.append("integration")
    module = getattr(item, "module", None)
    if module is not None and any(
        _qualified(value) in SERVER_STARTERS for value in vars(module).values()
    ):
        found.append("integration")
    for part in Path(str(item.path)).parts[:-1]:
        if part in FOLDERS:
            found.append(FOLDERS[part])
    found += [layer for layer in LAYERS if item.get_closest_marker(layer)]
    return max(found, key=LAYERS.index)


def _qualified(value: object) -> str:
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "unit: pure code, no I/O (marked at collection)")
    config.addinivalue_line("markers", "integration: real PostgreSQL and NATS, in-process")
    config.addinivalue_line("markers", "e2e: crosses real service processes")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`-m unit` does not even import what is in an integration/, e2e/ or browser/ folder: none
    of it can be a unit test (a folder only raises the layer)."""
    above_unit = FOLDERS.get(collection_path.name, "unit") != "unit"
    if above_unit and config.getoption("markexpr", "") == "unit" and collection_path.is_dir():
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = _layer(item)
        for other in LAYERS:
            if other != layer and item.get_closest_marker(other):
                # An explicit lower marker (a module-wide one) yields to the fixtures.
                item.own_markers = [m for m in item.own_markers if m.name != other]
        item.add_marker(getattr(pytest.mark, layer))
        item.stash[_LAYER] = layer
        if layer == "e2e" and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(E2E_TIMEOUT))


_LAYER = pytest.StashKey[str]()


class UnitTestDidIO(AssertionError):
    pass


@contextlib.contextmanager
def _unit_guard(item: pytest.Item) -> Iterator[None]:
    """A unit test may not connect anywhere nor start a process: it would be an integration
    test. (socketpair, which event loops use to wake themselves, is not a connection.)"""
    if item.stash.get(_LAYER, None) != "unit":
        yield
        return

    def refuse(what: str):
        def refused(*_args, **_kwargs):
            raise UnitTestDidIO(
                f"{item.nodeid} is marked unit but {what}: use a database/nats fixture or move it"
                " to an integration/ folder"
            )

        return refused

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse("connects a socket"))
        patch.setattr(socket.socket, "connect_ex", refuse("connects a socket"))
        patch.setattr(subprocess.Popen, "_execute_child", refuse("starts a process"))
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    with _unit_guard(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    with _unit_guard(item):
        return (yield)
