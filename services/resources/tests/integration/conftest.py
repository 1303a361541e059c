"""A migrated resources database and units of work over it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from lianxin.persistence.db import make_engine, make_session_factory
from resources.adapters.orm import inbox, outbox
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

UOW = Callable[[], ResourcesUnitOfWork]


@pytest.fixture
async def uow(migrated_database) -> AsyncIterator[UOW]:
    database = await migrated_database("resources")
    engine = make_engine(database)
    sessions = make_session_factory(engine)
    yield lambda: ResourcesUnitOfWork(
        sessions, source="/lianxin/resources", outbox=outbox, inbox=inbox
    )
    await engine.dispose()
