"""Alembic for every service: each keeps its own `migrations/` package, driven from here.

`create_messaging_tables()` / `drop_messaging_tables()` are what every service's first revision
calls for its outbox, inbox and dead letters: the DDL comes from the same `Table` definitions the
code reads and writes (`lianxin.persistence.tables`), so the two cannot drift apart. The price:
those definitions are now part of every first revision, so changing them changes what a fresh
database gets at it (incidents `0004`, organisation `0003`, resources and volunteers `0001`).
`libs/lianxin/tests/test_messaging_tables.py` pins their DDL: a change needs a new revision in
every service that takes existing databases to the same shape.

`lifecycle_columns()`, `create_coded_table()` and `create_community_table()` are the other way
round: written out here, not taken from `lianxin.persistence.tables`, so that a later change to the
code's columns cannot change what an old revision creates. They are the two shapes of aggregate
row the services share: one of organisation's register (and incidents' read models of it), known
by its code and name; one community's record in resources or volunteers, known by a UUID and
listed by community. Never edit them; a new shape is a new helper in a new revision.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from lianxin.idempotency import idempotency_table
from lianxin.persistence.tables import messaging_tables
from lianxin.settings import asyncpg_url


def alembic_config(package: str, url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", f"{package}:migrations")
    config.set_main_option("sqlalchemy.url", asyncpg_url(url).replace("%", "%%"))
    return config


def upgrade(package: str, url: str) -> None:
    """Migrate `package`'s database to head. Synchronous: call it off the event loop."""
    command.upgrade(alembic_config(package, url), "head")


def head_revision(package: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(package)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        exists = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
        if not exists:
            return None
        return await conn.scalar(text("SELECT version_num FROM alembic_version"))


def declared_metadata(package: str) -> MetaData:
    """Every table the service's code declares: `adapters.orm`'s metadata, once each adapter
    module that adds a table of its own to it is imported (a list written by hand missed two)."""
    adapters = importlib.import_module(f"{package}.adapters")
    for module in pkgutil.iter_modules(adapters.__path__):
        importlib.import_module(f"{package}.adapters.{module.name}")
    return importlib.import_module(f"{package}.adapters.orm").metadata


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's `migrations/env.py` (online mode, asyncpg)."""
    url = context.config.get_main_option("sqlalchemy.url")

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(main())


def lifecycle_columns() -> list[sa.Column]:
    """In `op.create_table`: an aggregate's `version` and `retired_at`, as the first revisions
    of organisation (0003) and incidents (0004) create them. Frozen."""
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    ]


def create_coded_table(name: str, *columns: sa.Column | sa.Constraint) -> None:
    """`op.create_table` of an aggregate known by its code: `code` (the primary key) and `name`,
    then `columns` (and any constraints among them), then `lifecycle_columns()`. Frozen."""
    op.create_table(
        name,
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        *columns,
        *lifecycle_columns(),
        sa.PrimaryKeyConstraint("code"),
    )


def create_community_table(name: str, *columns: sa.Column | sa.Constraint) -> None:
    """`op.create_table` of a record one community keeps: `id` (a UUID, the primary key) and
    `community_code`, indexed as `ix_<name>_community_code` (its lists are one community's), then
    `columns` (and any constraints among them). Frozen."""
    op.create_table(
        name,
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f(f"ix_{name}_community_code"), name, ["community_code"])


def create_messaging_tables() -> None:
    """In a revision's `upgrade()`: the outbox, the inbox and the dead letters, and indexes."""
    # The migration context's own DDL runner (what `op.create_table` ends in), handed the shared
    # `Table` itself: CREATE TABLE with its constraints, then CREATE INDEX for each index.
    impl = op.get_context().impl
    for table in messaging_tables(MetaData()):
        impl.create_table(table)


def drop_messaging_tables() -> None:
    """In a revision's `downgrade()`: the three tables again (their indexes go with them)."""
    impl = op.get_context().impl
    for table in reversed(messaging_tables(MetaData())):
        impl.drop_table(table)


def create_idempotency_table() -> None:
    """In a revision's `upgrade()`: `idempotency_keys` (`lianxin.idempotency`), from the same
    `Table` the middleware reads and writes."""
    op.get_context().impl.create_table(idempotency_table(MetaData()))


def drop_idempotency_table() -> None:
    op.get_context().impl.drop_table(idempotency_table(MetaData()))
