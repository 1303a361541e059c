"""pytest plugin: `-p lianxin.testing.plugin` (set in the root pyproject).

One PostgreSQL server and one NATS server for the whole session (see `infrastructure` for where
they come from), shared by every test that needs them:

- `postgres_url`: admin URL of the session's PostgreSQL server;
- `module_database`: one database per test module, created on first use, dropped at its end;
- `database`: that database, emptied for the test (every schema dropped): what a test that
  builds its own schema (migrations, `create_all`) starts from;
- `migrated_database`: `await migrated_database("incidents")` is that database migrated to the
  service's head with no rows in it: copied from a template database the service's migrations
  built once per session (see `databases`); when the previous test left the same service's schema
  untouched, its tables are truncated instead;
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
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lianxin.testing import hypothesis_profiles  # noqa: F401  (registers the Hypothesis profiles)
from lianxin.testing.databases import ModuleDatabase, Templates
from lianxin.testing.infrastructure import NatsServer, env_url, nats_server, postgres_server

if TYPE_CHECKING:
    from nats.js import JetStreamContext

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


@pytest.fixture(scope="session")
def database_templates(postgres_url: str) -> Iterator[Templates]:
    """Each service's migrations, run once per session into a database copied from after."""
    templates = Templates(postgres_url)
    yield templates
    asyncio.run(templates.drop())


@pytest.fixture(scope="module")
def module_database(postgres_url: str, database_templates: Templates) -> Iterator[ModuleDatabase]:
    db = ModuleDatabase(postgres_url, "t" + uuid.uuid4().hex[:12] + "_db", database_templates)
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
    from lianxin.messaging.streams import STREAMS

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
        await _declare_after_delete(js)
    finally:
        await nc.close()


async def _declare_after_delete(js: JetStreamContext, attempts: int = 20) -> None:
    # The server removes a deleted stream's files after it answers; creating the same stream at
    # once can meet them still there ("error creating store for stream", 10049): wait them out.
    from nats.js.errors import ServerError

    from lianxin.messaging.streams import declare_all

    for attempt in range(attempts):
        try:
            await declare_all(js)
            return
        except ServerError as error:
            if error.err_code != 10049 or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.1)


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
    "database_templates",
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


# The session's services (in-process and the platform's processes, which inherit the
# environment) hash passwords at argon2id's test cost: see organisation's `identity.Hashing`.
PASSWORD_HASHING = ("LIANXIN_PASSWORD_HASHING", "test")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests() -> None:
    """Before the first conftest imports a service (organisation reads it at import)."""
    os.environ.setdefault(*PASSWORD_HASHING)


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
    items[:] = _files_by_layer_e2e_first(items)


def _files_by_layer_e2e_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """Files with an e2e test first, then those with an integration test, then the rest, each
    file's tests together and in their order. `make test` hands whole files to its parallel
    workers in this order (pytest-xdist's `--dist loadfile --no-loadscope-reorder`): the long
    platform tests start early, and the short ones fill the workers' ends instead of one long
    test running on alone."""
    rank: dict[Path, int] = {}
    for item in items:
        depth = LAYERS.index(item.stash[_LAYER])
        rank[item.path] = max(rank.get(item.path, 0), depth)
    return sorted(items, key=lambda item: -rank[item.path])


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
