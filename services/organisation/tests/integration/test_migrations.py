"""Organisation's migrations: they build exactly the tables the code declares, keep the
communities registered before streets existed, and go back down."""

from __future__ import annotations

import asyncio

import asyncpg
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


async def test_communities_from_before_streets_are_kept_under_a_street_of_their_own(
    database: str,
) -> None:
    await migrate(database, "0001")
    await sql(
        database,
        "INSERT INTO communities (code, name, street) VALUES"
        " ('taipingjie', '太平街社区', '敦仁街道'), ('beimenkou', '北门口社区', '敦仁街道')",
    )
    await sql(
        database,
        "INSERT INTO grid_nodes (code, name, kind, community_code, path, households)"
        " VALUES ('tpj-g01', '第一网格', 'grid', 'taipingjie', '{tpj-g01}', 1200)",
    )
    await migrate(database, "head")
    [street] = await sql(database, "SELECT code, name, district_code FROM streets")
    assert street["name"] == "敦仁街道" and street["code"].startswith("legacy-")
    rows = await sql(database, "SELECT street_code, district_code, version FROM communities")
    assert {(r["street_code"], r["district_code"], r["version"]) for r in rows} == {
        (street["code"], "unassigned", 1)
    }
    [node] = await sql(database, "SELECT households, residents, version FROM grid_nodes")
    assert (node["households"], node["residents"], node["version"]) == (1200, 0, 1)

    await migrate(database, "0001", down=True)
    rows = await sql(database, "SELECT street FROM communities")
    assert {r["street"] for r in rows} == {"敦仁街道"}
