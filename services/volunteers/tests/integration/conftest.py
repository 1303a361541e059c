"""A migrated volunteers database and units of work over it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lianxin.auth import Principal, SigningKey, claims_for
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.testing.access_matrix import in_process
from volunteers.adapters.orm import inbox, outbox
from volunteers.entrypoints.app import create_app
from volunteers.service_layer.unit_of_work import VolunteersUnitOfWork

UowFactory = Callable[[], VolunteersUnitOfWork]


@pytest.fixture
async def uows(migrated_database) -> AsyncIterator[UowFactory]:
    database = await migrated_database("volunteers")
    # Big enough for the race test's 50 concurrent transactions.
    engine = make_engine(database, pool_size=60, max_overflow=0)
    sessions = make_session_factory(engine)

    def uow() -> VolunteersUnitOfWork:
        return VolunteersUnitOfWork(
            sessions, source="/lianxin/volunteers", outbox=outbox, inbox=inbox
        )

    yield uow
    await engine.dispose()


KEY = SigningKey.generate("volunteers-test")
# Modules sign their tokens when imported, at collection: they must outlive the slowest session.
SESSION_LONG = 24 * 3600


def bearer(principal: Principal) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {KEY.sign(claims_for(principal, lifetime_seconds=SESSION_LONG))}"
    }


@pytest.fixture
async def api(database: str, uows: UowFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP API in-process on the migrated database (`uows` migrates it); tokens signed by
    the test's own key. No lifespan: the relay and consumers have their tests."""
    async with in_process(create_app, "volunteers", database, KEY) as client:
        yield client


async def a_team_shift(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    community: str,
    node: str,
    leader: str,
    member: str,
    places: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A red-vest team that `leader` leads and `member` joins, its elder-care activity at `node`
    and one shift of it starting in 20 minutes (check-in opens 30 minutes before): the activity
    and the shift, as created."""

    async def made(answer: httpx.Response, status: int) -> dict[str, Any]:
        assert answer.status_code == status, answer.text
        return answer.json()

    team = {"community_code": community, "name": "红马甲", "kind": "red_vest"}
    team_id = (await made(await api.post("/teams", json=team, headers=headers), 201))["id"]
    for who, role in ((leader, "leader"), (member, "member")):
        joined = {"volunteer_id": who, "role": role}
        await made(await api.post(f"/teams/{team_id}/members", json=joined, headers=headers), 200)
    planned = {
        "community_code": community,
        "node_code": node,
        "kind": "elder_care",
        "title": "探访独居老人",
        "team_id": team_id,
    }
    activity = await made(await api.post("/activities", json=planned, headers=headers), 201)
    start = datetime.now(UTC) + timedelta(minutes=20)
    scheduled = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place": "3号楼",
        "places": places,
    }
    path = f"/activities/{activity['id']}/shifts"
    return activity, await made(await api.post(path, json=scheduled, headers=headers), 201)
