"""While a service's PostgreSQL cannot be reached, a client gets 503 with Retry-After."""

from __future__ import annotations

import socket

from fastapi import APIRouter, Request
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select, text

from lianxin.persistence.tables import messaging_tables
from lianxin.service import create_service_app
from lianxin.settings import ServiceSettings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def _app(database_url: str, nats: str):
    metadata = MetaData()
    messaging_tables(metadata)
    router = APIRouter()

    @router.get("/probe")
    async def probe(request: Request) -> dict:
        rt = request.app.state.runtime
        async with rt.sessions() as session:
            await session.execute(select(text("1")))
        return {"ok": True}

    @router.get("/broken")
    async def broken() -> dict:
        raise ValueError("a bug, not an outage")

    async def no_keys() -> dict:
        return {"keys": []}

    settings = ServiceSettings(
        service_name="organisation", database_url=database_url, nats_url=nats
    )
    return create_service_app(
        "organisation",
        title="probe",
        metadata=metadata,
        routers=[],
        public_routers=[router],
        settings=settings,
        signing_keys=lambda rt: no_keys,
    )


def test_a_request_while_postgresql_is_down_gets_503_with_retry_after(nats: str) -> None:
    down = f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/lianxin"
    with TestClient(_app(down, nats), raise_server_exceptions=False) as client:
        answer = client.get("/probe")
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["retry-after"]) > 0
        assert answer.json()["status"] == 503
        # A bug stays a 500: only an unreachable database is "try again later".
        assert client.get("/broken").status_code == 500


def test_the_same_request_succeeds_when_postgresql_answers(database: str, nats: str) -> None:
    with TestClient(_app(database, nats)) as client:
        assert client.get("/probe").json() == {"ok": True}
