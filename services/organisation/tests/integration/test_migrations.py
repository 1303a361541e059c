"""Organisation's migration: it builds exactly the tables the code declares, puts every community
under a street of a district, and goes back down."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from lianxin.persistence.migrations import alembic_config
from lianxin.settings import asyncpg_url
from organisation.adapters.orm import metadata


async def migrate(database: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config("organisation", database)
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, config, revision)


async def sql(database: str, query: str) -> list:
    conn = await asyncpg.connect(database.replace("+asyncpg", ""))
    try:
        return await conn.fetch(query)
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


async def test_every_community_sits_under_a_street_of_a_district_and_all_goes_back_down(
    database: str,
) -> None:
    # Replaces the test of 0002's data migration (communities from before streets existed kept
    # under a `legacy-…` street): 0001–0003 are squashed into 0003, so no database starts below
    # the streets any more. The end state that test checked at head is checked here instead.
    await migrate(database, "head")
    await sql(
        database, "INSERT INTO districts (code, name, city) VALUES ('fuling', '涪陵区', '重庆市')"
    )
    await sql(
        database,
        "INSERT INTO streets (code, name, district_code) VALUES ('dunren', '敦仁街道', 'fuling')",
    )
    await sql(
        database,
        "INSERT INTO communities (code, name, street_code, district_code) VALUES"
        " ('taipingjie', '太平街社区', 'dunren', 'fuling')",
    )
    await sql(
        database,
        "INSERT INTO grid_nodes (code, name, kind, community_code, path, households)"
        " VALUES ('tpj-g01', '第一网格', 'grid', 'taipingjie', '{tpj-g01}', 1200)",
    )
    rows = await sql(database, "SELECT street_code, district_code, version FROM communities")
    assert {(r["street_code"], r["district_code"], r["version"]) for r in rows} == {
        ("dunren", "fuling", 1)
    }
    [node] = await sql(database, "SELECT households, residents, version FROM grid_nodes")
    assert (node["households"], node["residents"], node["version"]) == (1200, 0, 1)
    with pytest.raises(asyncpg.NotNullViolationError):
        await sql(
            database, "INSERT INTO communities (code, name) VALUES ('beimenkou', '北门口社区')"
        )
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await sql(
            database,
            "INSERT INTO communities (code, name, street_code, district_code) VALUES"
            " ('beimenkou', '北门口社区', '敦仁街道', 'fuling')",
        )

    await migrate(database, "base", down=True)
    rows = await sql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert [r["tablename"] for r in rows] == ["alembic_version"]
