"""What every service's migration tests do: migrate up or down, run SQL, compare with the code.

`schema_drift` is the check each service makes that its Alembic history builds exactly the tables
its `adapters/orm.py` declares (an empty list when they agree).
"""

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


async def migrate(package: str, database: str, revision: str, *, down: bool = False) -> None:
    """Upgrade (or with `down`, downgrade) `package`'s database to `revision`."""
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, alembic_config(package, database), revision)


async def sql(database: str, query: str, *args: object) -> list[asyncpg.Record]:
    """One statement on its own connection, outside any unit of work."""
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def schema_drift(database: str, metadata: MetaData) -> list[Any]:
    """Alembic's differences between the database as it is and `metadata`."""
    engine = create_async_engine(asyncpg_url(database))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await engine.dispose()
