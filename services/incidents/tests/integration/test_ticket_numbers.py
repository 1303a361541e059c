"""Ticket numbers (工单号) on real PostgreSQL: one counter row per community and day hands out
numbers without duplicates when reports arrive at once, the day is China's, numbers given before
the migration are filled in; and the incident list's search, filters and pages find them."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from incidents.adapters.incident_search import IncidentFilter
from incidents.service_layer import commands
from incidents.service_layer.read_models import apply_org_event
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, Scope
from lianxin.contracts import org
from lianxin.persistence.db import make_engine
from lianxin.testing.migrations import migrate, sql

from ..conftest import make_uow
from .test_deadline_timers import PLATFORM
from .test_deadline_timers import seed as seed_taipingjie

# 23:30 UTC on 28 November is 07:30 on 29 November in China.
T0 = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)


async def seed(uow: IncidentsUnitOfWork) -> None:
    """The timers' test's Taipingjie (grid 一网格) and power company, and Changshan's grid."""
    await seed_taipingjie(uow)
    for event in (
        org.CommunityRegistered(
            code="changshan", name="长山花园社区", street_code="tuanshan", district_code="kc"
        ),
        org.GridNodeRegistered(
            code="cs-g01", name="长山一网格", kind="grid", community_code="changshan",
            path=["cs-g01"],
        ),
        org.GridNodeRegistered(
            code="cs-g01-m01", name="3号楼", kind="micro_grid", community_code="changshan",
            parent_code="cs-g01", path=["cs-g01", "cs-g01-m01"],
        ),
    ):  # fmt: skip
        await apply_org_event(uow, event)


async def reported(uow, micro_grid: str, at: datetime, description: str = "路灯不亮", **more):
    return await commands.report(
        uow,
        PLATFORM,
        micro_grid_code=micro_grid,
        category=more.pop("category", "power_supply"),
        urgency="general",
        description=description,
        affected_households=1,
        reporter="grid",
        clock=lambda: at,
        **more,
    )


async def test_reports_at_once_get_distinct_numbers_without_gaps(uow, database) -> None:
    await seed(uow)
    engine = make_engine(database)
    try:
        # Twelve leaders report at the same moment, each in a transaction of its own.
        found = await asyncio.gather(
            *(reported(make_uow(engine), "tpj-g01-m01", T0) for _ in range(12))
        )
    finally:
        await engine.dispose()

    numbers = sorted(i.ticket_no for i in found)
    assert numbers == [f"TPJ-20261129-{n:04d}" for n in range(1, 13)]


async def test_numbers_count_per_community_and_chinas_day(uow) -> None:
    await seed(uow)
    first = await reported(uow, "tpj-g01-m01", T0 - timedelta(hours=1))  # 06:30 on the 29th
    other = await reported(uow, "cs-g01-m01", T0)
    second = await reported(uow, "tpj-g01-m01", T0)
    next_day = await reported(uow, "tpj-g01-m01", T0 + timedelta(hours=17))  # 00:30 on the 30th

    assert first.ticket_no == "TPJ-20261129-0001"
    assert other.ticket_no == "CS-20261129-0001"
    assert second.ticket_no == "TPJ-20261129-0002"
    assert next_day.ticket_no == "TPJ-20261130-0001"
    async with uow:
        stored = await uow.incidents.get(second.id)
    assert stored is not None and stored.ticket_no == second.ticket_no


async def test_search_filters_and_pages_within_the_callers_scope(uow) -> None:
    await seed(uow)
    lamp = await reported(uow, "tpj-g01-m01", T0, "3号楼路灯不亮")
    leak = await reported(uow, "tpj-g01-m01", T0 + timedelta(days=2), "水管漏水", category="water")
    elsewhere = await reported(uow, "cs-g01-m01", T0 + timedelta(minutes=1), "路灯不亮 100%")
    await commands.escalate(
        uow, PLATFORM, lamp.id, department_codes=["power_supply"], lead_department_code=None,
        clock=lambda: T0,
    )  # fmt: skip
    coordinator = Principal(
        "tpj", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"taipingjie"}))
    )

    async def ids(who: Principal = coordinator, **given) -> tuple[list, int]:
        async with uow:
            page, total = await uow.search.page(IncidentFilter(**given), who)
        return [i.id for i in page], total

    assert await ids(words=lamp.ticket_no.lower()) == ([lamp.id], 1)
    assert await ids(words="路灯") == ([lamp.id], 1)  # Changshan's is not the coordinator's
    assert await ids(PLATFORM, words="路灯") == ([elsewhere.id, lamp.id], 2)
    assert await ids(PLATFORM, words="100%") == ([elsewhere.id], 1)  # % is a character here
    assert await ids(words="一网格") == ([leak.id, lamp.id], 2)  # the grid's name
    assert await ids(category="water") == ([leak.id], 1)
    assert await ids(department="power_supply") == ([lamp.id], 1)
    assert await ids(department="power_supply", holding=True) == ([lamp.id], 1)
    assert await ids(status="open") == ([leak.id, lamp.id], 2)  # reported and escalated
    assert await ids(grid="tpj-g01") == ([leak.id, lamp.id], 2)
    day = date(2026, 11, 29)
    assert await ids(reported_from=day, reported_to=day) == ([lamp.id], 1)
    assert await ids(reported_from=day + timedelta(days=1)) == ([leak.id], 1)
    # Pages: newest first, the total over all pages.
    assert await ids(PLATFORM, limit=2) == ([leak.id, elsewhere.id], 3)
    assert await ids(PLATFORM, limit=2, offset=2) == ([lamp.id], 3)
    # The nearest open deadline first: only the escalated one has one.
    assert (await ids(by_deadline=True))[0][0] == lamp.id


async def test_the_migration_numbers_the_incidents_already_there(database: str) -> None:
    await migrate("incidents", database, "0005")
    for n, at in enumerate(("2026-11-29 01:00+08", "2026-11-29 02:00+08", "2026-11-30 01:00+08")):
        await sql(
            database,
            "INSERT INTO incidents (id, community_code, micro_grid_code, grid_path, category,"
            " urgency, description, affected_households, status, reported_at) VALUES"
            f" (gen_random_uuid(), 'taipingjie', 'm', '{{g}}', 'c', 'general', 'd{n}', 0,"
            f" 'reported', '{at}')",
        )
    await migrate("incidents", database, "head")

    rows = await sql(database, "SELECT description, ticket_no FROM incidents ORDER BY description")
    assert [r["ticket_no"] for r in rows] == [
        "TPJ-20261129-0001",
        "TPJ-20261129-0002",
        "TPJ-20261130-0001",
    ]
    counters = await sql(database, "SELECT day, last FROM ticket_counters ORDER BY day")
    assert [(str(r["day"]), r["last"]) for r in counters] == [("2026-11-29", 2), ("2026-11-30", 1)]
