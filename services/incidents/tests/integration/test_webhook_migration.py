"""The webhook tables, as the migration builds them, are what the code declares; downgrading the
squashed revision (0004, the only one) drops them with everything else."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from incidents.adapters import webhooks  # noqa: F401  (its tables join the metadata)
from incidents.adapters.orm import metadata
from lianxin.persistence.migrations import alembic_config
from lianxin.settings import asyncpg_url

TABLES = {"webhook_deliveries", "webhook_attempts"}


def _about_webhooks(change) -> bool:
    change = change[0] if isinstance(change, list) else change
    return any(
        getattr(part, "name", None) in TABLES
        or getattr(getattr(part, "table", None), "name", None) in TABLES
        for part in change
    )


async def _inspect(database: str, what):
    engine = create_async_engine(asyncpg_url(database))
    async with engine.connect() as conn:
        found = await conn.run_sync(what)
    await engine.dispose()
    return found


async def test_the_webhook_tables_match_the_code_and_go_back_down(database: str) -> None:
    config = alembic_config("incidents", database)
    await asyncio.to_thread(command.upgrade, config, "head")
    diff = await _inspect(
        database, lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
    )
    assert [c for c in diff if _about_webhooks(c)] == []

    await asyncio.to_thread(command.downgrade, config, "base")
    tables = await _inspect(database, lambda sync: set(inspect(sync).get_table_names()))
    assert not TABLES & tables
