"""What a service's `tests/integration/test_migrations.py` does to its database: step its
Alembic history up or down, look at rows with plain SQL (below the code under test), and compare
the schema the migrations built with the tables the code declares."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from lianxin.persistence.migrations import alembic_config
from lianxin.settings import asyncpg_url


async def migrate(service: str, database: str, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, `down`, downgrade) the service's database to `revision`."""
    config = alembic_config(service, database)
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, config, revision)


async def sql(database: str, query: str, *args: object) -> list[Any]:
    """One statement on its own connection; the rows it returns."""
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def drift(database: str, metadata: MetaData) -> list[Any]:
    """What differs between the database's schema and `metadata` (nothing: `[]`)."""
    engine = create_async_engine(asyncpg_url(database))
    async with engine.connect() as conn:
        found = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    await engine.dispose()
    return found
