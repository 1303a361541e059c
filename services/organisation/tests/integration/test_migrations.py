"""Organisation's migration: it builds exactly the tables the code declares, puts every community
under a street of a district, and goes back down."""

from __future__ import annotations

from functools import partial

import asyncpg
import pytest

from lianxin.testing import migrations
from lianxin.testing.migrations import schema_drift, sql
from organisation.adapters.orm import metadata

migrate = partial(migrations.migrate, "organisation")


async def test_the_migrations_build_what_the_code_declares(database: str) -> None:
    await migrate(database, "head")
    assert await schema_drift(database, metadata) == []


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
