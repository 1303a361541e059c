"""Resources' migrations build exactly the tables the code declares, and 0002 keeps the needs
the old consumer opened, as open needs from their incidents that load as today's `Need`."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import alembic_config
from lianxin.settings import asyncpg_url
from resources.adapters.orm import inbox, metadata, outbox
from resources.domain.needs import NeedSource, NeedStatus
from resources.service_layer.unit_of_work import ResourcesUnitOfWork


async def migrate(database: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config("resources", database)
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, config, revision)


async def sql(database: str, query: str, *args: object) -> list:
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def test_the_migrations_build_what_the_code_declares(database: str) -> None:
    await migrate(database, "head")
    engine = create_async_engine(asyncpg_url(database))
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    await engine.dispose()
    assert diff == []


async def test_0002_keeps_the_old_escalation_needs_and_goes_back_down(database: str) -> None:
    await migrate(database, "0001")
    need_id, incident_id = uuid4(), uuid4()
    await sql(
        database,
        "INSERT INTO needs (id, community_code, title, status, opened_at, source_incident_id)"
        " VALUES ($1, 'yongxinglu', '[landscaping] 高大树木遮挡采光', 'open', now(), $2)",
        need_id,
        incident_id,
    )
    await migrate(database, "0002")
    engine = make_engine(database)
    uow = ResourcesUnitOfWork(
        make_session_factory(engine), source="/lianxin/resources", outbox=outbox, inbox=inbox
    )
    async with uow:
        need = await uow.needs.get(need_id)
    await engine.dispose()
    assert need is not None
    assert (need.category, need.title, need.source, need.status) == (
        "landscaping",
        "[landscaping] 高大树木遮挡采光",
        NeedSource.INCIDENT,
        NeedStatus.OPEN,
    )
    assert need.source_incident_id == incident_id
    await migrate(database, "0001", down=True)
    [row] = await sql(database, "SELECT title FROM needs")
    assert row["title"] == "[landscaping] 高大树木遮挡采光"
