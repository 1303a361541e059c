"""The async engine and session factory of one service's own database."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from lianxin.settings import asyncpg_url


def make_engine(url: str, **options) -> AsyncEngine:
    return create_async_engine(asyncpg_url(url), pool_pre_ping=True, **options)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
