"""A migrated volunteers database and units of work over it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from lianxin.auth import Principal, SigningKey, claims_for
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import upgrade
from lianxin.testing.access_matrix import in_process
from volunteers.adapters.orm import inbox, outbox
from volunteers.entrypoints.app import create_app
from volunteers.service_layer.unit_of_work import VolunteersUnitOfWork

UowFactory = Callable[[], VolunteersUnitOfWork]


@pytest.fixture
async def uows(database: str) -> AsyncIterator[UowFactory]:
    await asyncio.to_thread(upgrade, "volunteers", database)
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


def bearer(principal: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY.sign(claims_for(principal, lifetime_seconds=600))}"}


@pytest.fixture
async def api(database: str, uows: UowFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP API in-process on the migrated database (`uows` migrates it); tokens signed by
    the test's own key. No lifespan: the relay and consumers have their tests."""
    async with in_process(create_app, "volunteers", database, KEY) as client:
        yield client
