"""The async engine and session factory of one service's own database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from lianxin.settings import asyncpg_url


def make_engine(
    url: str,
    *,
    pool_size: int = 20,
    max_overflow: int = 10,
    pool_pre_ping: bool = False,
    **options,
) -> AsyncEngine:
    """A pool kept at the process's concurrency: a connection opened past `pool_size` is closed
    when given back (its prepared statements with it), so size it to the work, not below.
    Each connection keeps up to 500 prepared statements (the driver's cache; 100 by default,
    fewer than a service's distinct statements)."""
    engine = create_async_engine(
        asyncpg_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pool_pre_ping,
        connect_args={"prepared_statement_cache_size": 500},
        **options,
    )
    # `execute(table.insert(), rows)` becomes one INSERT … VALUES (…), (…) (as the psycopg2
    # dialect does by default), from the one-row statement's compiled form: a statement
    # built with `.values([rows])` is compiled anew at every call (SQLAlchemy cannot cache it).
    engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
