"""`lianxin bench` against the test platform: whole loops driven, the ceiling measured beside."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from lianxin.bench.platform_run import Target
from lianxin.bench.report import markdown
from lianxin.bench.run import run_bench
from lianxin.messaging.connection import connect
from tests.conftest import Platform

pytestmark = pytest.mark.e2e


async def _leftovers(plat: Platform) -> tuple[list[str], list[str]]:
    """Scratch databases and streams still there after the run."""
    conn = await asyncpg.connect(plat.database_url("incidents"))
    try:
        rows = await conn.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE 'lianxin_bench_%'"
        )
    finally:
        await conn.close()
    nc = await connect(plat.nats_url, "lianxin-test")
    try:
        streams = [s.config.name for s in await nc.jetstream().streams_info()]
    finally:
        await nc.close()
    return [r["datname"] for r in rows], [s for s in streams if s.startswith("LIANXIN_BENCH")]


def test_the_bench_drives_whole_loops_and_measures_the_ceiling_on_the_same_servers(
    demo_platform: Platform,
) -> None:
    target = Target(demo_platform.url("incidents"), demo_platform.nats_url, demo_platform.token())

    result = asyncio.run(
        run_bench(target, demo_platform.server_url, reporters=2, loops=6, warmup=2)
    )

    run = result["platform"]
    assert (run["loops"], run["warmup_loops"]) == (6, 2)
    assert run["report_to_department_ms"]["count"] == run["report_to_resolved_ms"]["count"] == 6
    assert run["loops_per_second"] > 0
    # Every loop, warm-up included, was a real incident its department signed for and resolved.
    http = demo_platform.http("incidents")
    listed = http.get("/incidents").json()
    assert len(listed) == 8
    for incident in (http.get(f"/incidents/{i['id']}").json() for i in listed):
        assert incident["status"] == "resolved"
        [assignment] = incident["assignments"]
        assert assignment["department_code"] == "power_supply"
        assert assignment["acknowledged_at"] and assignment["status"] == "resolved"

    ceiling = result["ceiling"]
    assert (ceiling["loops"], ceiling["commits_per_loop"], ceiling["publishes_per_loop"]) == (
        6,
        12,
        10,
    )
    assert ceiling["loops_per_second"] > 0 and result["platform_to_ceiling"] > 0
    assert asyncio.run(_leftovers(demo_platform)) == ([], [])
    assert "| platform: report → resolved over HTTP |" in markdown(result)
