"""pytest plugin: `-p lianxin.testing.plugin` (set in the root pyproject).

Fixtures:
- `postgres_url`: admin URL of a real PostgreSQL server, shared by the session;
- `database`: a fresh, empty database for one test (created from `postgres_url`);
- `nats`: a real NATS server with JetStream for one test, its streams declared from the one
  declaration in code. With an external `NATS_URL`, the test's streams are deleted first instead.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from nats.js.errors import NotFoundError

from lianxin.messaging.connection import connect
from lianxin.messaging.streams import STREAMS, declare_all
from lianxin.testing.infrastructure import NatsServer, nats_server, postgres_server


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with postgres_server(tmp_path_factory.mktemp("pg")) as url:
        yield url


def _plain(url: str) -> str:
    return url.replace("+asyncpg", "").replace("+psycopg2", "")


@pytest.fixture
def database_prefix() -> str:
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
async def database(postgres_url: str, database_prefix: str) -> AsyncIterator[str]:
    """A URL to a new, empty database of its own."""
    from urllib.parse import urlsplit, urlunsplit

    name = f"{database_prefix}_db"
    admin = await asyncpg.connect(_plain(postgres_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))


@pytest.fixture
def nats_handle(tmp_path: Path) -> Iterator[NatsServer | str]:
    with nats_server(tmp_path / "nats") as handle:
        yield handle


@pytest.fixture
async def nats(nats_handle: NatsServer | str) -> str:
    """The URL of a NATS server whose streams and consumers are freshly declared."""
    url = nats_handle if isinstance(nats_handle, str) else nats_handle.url
    await reset_streams(url, delete=isinstance(nats_handle, str))
    return url


async def reset_streams(url: str, *, delete: bool) -> None:
    """Declare every stream and consumer; on a shared server, delete what was there first."""
    nc = await connect(url, "lianxin-test-setup")
    js = nc.jetstream()
    try:
        if delete:
            for stream in STREAMS:
                with contextlib.suppress(NotFoundError):
                    await js.delete_stream(stream.name)
        await declare_all(js)
    finally:
        await nc.close()
