"""A migrated volunteers database and units of work over it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import upgrade
from volunteers.adapters.orm import inbox, outbox
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
