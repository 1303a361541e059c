"""The organisation service in-process, on a real PostgreSQL database and a real NATS server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest

from lianxin.http_clients import async_client
from lianxin.settings import ServiceSettings
from organisation.entrypoints.app import create_app

PLATFORM_SECRET = "platform-secret-for-tests"


@pytest.fixture
def deployment() -> dict:
    """Settings of the deployment under test beyond its connections (a module may override)."""
    # Tests' webhook hosts do not resolve here; test_webhook_targets checks the refusal.
    return {"lianxin_webhooks_allow_private": True}


@pytest.fixture
async def org(migrated_database, nats: str, deployment: dict) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a freshly migrated organisation, its outbox relay publishing to NATS."""
    database = await migrated_database("organisation")
    settings = ServiceSettings(
        service_name="organisation",
        database_url=database,
        nats_url=nats,
        outbox_poll_seconds=0.1,
        lianxin_platform_secret=PLATFORM_SECRET,
        **deployment,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with async_client(transport=transport, base_url="http://organisation") as client:
            client.headers["Authorization"] = f"Bearer {await token(client, 'platform')}"
            yield client
            await drained(client)


async def token(client: httpx.AsyncClient, username: str, secret: str = "") -> str:
    """A token from the service under test: the platform's client grant, or a person's password."""
    if username == "platform":
        form = {"grant_type": "client_credentials", "client_id": "platform"}
        form["client_secret"] = PLATFORM_SECRET
    else:
        form = {"grant_type": "password", "username": username, "password": secret}
    answer = await client.post("/oauth/token", data=form, headers={"Authorization": ""})
    answer.raise_for_status()
    return answer.json()["access_token"]


async def drained(client: httpx.AsyncClient, seconds: float = 20) -> None:
    """Wait until the relay has published every event (and so stops mid-batch never)."""
    for _ in range(int(seconds * 10)):
        if not (await client.get("/ops/outbox")).json()["unsent"]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox did not drain")


@pytest.fixture
def outbox(database: str) -> Callable[[], Awaitable[list[dict]]]:
    """Reads every event organisation wrote to its outbox, oldest first (CloudEvents as JSON)."""

    async def read() -> list[dict]:
        conn = await asyncpg.connect(database.replace("+asyncpg", ""))
        try:
            rows = await conn.fetch("SELECT event FROM outbox ORDER BY id")
        finally:
            await conn.close()
        return [json.loads(r["event"]) for r in rows]

    return read


@pytest.fixture
async def tpj(org: httpx.AsyncClient) -> httpx.AsyncClient:
    """The organisation with Fuling district, Dunren street and Taipingjie community."""
    for path, body in (
        ("/districts", {"code": "fuling", "name": "涪陵区", "city": "重庆市"}),
        ("/streets", {"code": "dunren", "name": "敦仁街道", "district_code": "fuling"}),
        ("/communities", {"code": "taipingjie", "name": "太平街社区", "street_code": "dunren"}),
    ):
        (await org.post(path, json=body)).raise_for_status()
    return org


@pytest.fixture
def org_token(org: httpx.AsyncClient):
    """Log in to the organisation under test as a person."""

    async def login(username: str, secret: str) -> str:
        return await token(org, username, secret)

    return login
