"""`lianxin bench` against the test platform: whole loops driven, the ceiling measured beside."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from lianxin.bench.layout import CONSUMING, Layout, parse_replicas
from lianxin.bench.platform_run import Target
from lianxin.bench.profile import summarise
from lianxin.bench.report import markdown, profile_lines
from lianxin.bench.run import run_bench
from lianxin.messaging.connection import connect
from lianxin.runtime import platform as rt
from lianxin.runtime.processes import free_port
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

    processes = {"incidents": demo_platform.services["incidents"].process.pid}

    result = asyncio.run(
        run_bench(
            target, demo_platform.server_url, reporters=2, loops=6, warmup=2, processes=processes
        )
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
    # The machine over the measured loops: every process's CPU against cores × seconds.
    window = result["machine"]
    assert window["seconds"] > 0 and window["cores"] >= 1
    assert set(window["process_cpu_seconds"]) == {"incidents", "bench"}
    share = sum(window["process_cpu_seconds"].values()) / (window["cores"] * window["seconds"])
    assert window["process_cpu_share"] == pytest.approx(share, abs=0.001)
    assert 0 <= window["host_busy_share"] <= 1
    assert result["params"]["processes"]["names"] == ["incidents"]
    assert "**The machine over the measured loops**" in markdown(result)
    assert "profile" not in result


def test_the_reporters_are_spread_over_a_second_incidents_process(demo_platform: Platform) -> None:
    plat = demo_platform
    ports = {service: int(svc.url.rsplit(":", 1)[1]) for service, svc in plat.services.items()}
    replica = rt.start_service(
        "incidents",
        server_url=plat.server_url,
        nats_url=plat.nats_url,
        ports={**ports, "incidents": free_port()},
        log_dir=plat.workdir / "logs",
        prefix=plat.prefix,
        process_name="incidents-2",
    )
    try:
        rt.wait_ready([replica])
        target = Target(plat.url("incidents"), plat.nats_url, plat.token(), (replica.url,))
        processes = {"incidents": plat.services["incidents"].process.pid}
        processes["incidents-2"] = replica.process.pid

        result = asyncio.run(
            run_bench(target, plat.server_url, reporters=2, loops=6, warmup=2, processes=processes)
        )
    finally:
        rt.stop_services([replica])

    assert result["platform"]["loops"] == 6
    statuses = [i["status"] for i in plat.http("incidents").get("/incidents").json()]
    assert statuses == ["resolved"] * 8
    # One reporter on each process: both served their loops' requests.
    assert all(cpu > 0 for cpu in result["machine"]["process_cpu_seconds"].values())


def test_replicas_and_split_name_the_processes_beside_each_services_first() -> None:
    assert parse_replicas("1") == {} and parse_replicas("") == {}
    assert parse_replicas("2") == {service: 2 for service in CONSUMING}
    assert parse_replicas("incidents=3, resources=1") == {"incidents": 3}
    for wrong in ("nobody=2", "incidents=x", "0", "9"):
        with pytest.raises(ValueError):
            parse_replicas(wrong)
    extras = Layout({"incidents": 3}).extras()
    assert [(e.name, e.service, e.role) for e in extras] == [
        ("incidents-2", "incidents", None),
        ("incidents-3", "incidents", None),
    ]
    split = Layout(split=("incidents",))
    assert split.role_of_first("incidents") == "http" and split.role_of_first("resources") is None
    assert [(e.name, e.role) for e in split.extras()] == [("incidents-workers", "workers")]
    with pytest.raises(ValueError):
        Layout({"incidents": 2}, ("incidents",))


def test_the_reporters_take_the_incidents_processes_in_turn() -> None:
    target = Target("http://127.0.0.1:1", "nats://127.0.0.1:2", "token", ("http://127.0.0.1:3",))

    async def doors() -> list[str]:
        clients = target.clients(3)
        for http in clients:
            await http.aclose()
        return [str(http.base_url).rstrip("/") for http in clients]

    assert asyncio.run(doors()) == [
        "http://127.0.0.1:1",
        "http://127.0.0.1:3",
        "http://127.0.0.1:1",
    ]


BASE = "<module> (uvicorn/__main__.py:4)"
ROUTE = "handle (incidents/entrypoints/routes.py:20)"
SQL = "execute (sqlalchemy/engine/base.py:1400)"
RAW = "\n".join(
    [
        f"{BASE};run (asyncio/runners.py:118) 50",
        f"{BASE};{ROUTE};{SQL};fetch (asyncpg/connection.py:690) 30",
        f"{BASE};{ROUTE};dumps (json/__init__.py:231) 20",
    ]
)


def test_a_profile_counts_own_samples_by_function_and_library_group() -> None:
    summary = summarise(RAW)

    assert summary["samples"] == 100
    assert summary["top_own"][0] == {
        "function": "run (asyncio/runners.py)",
        "samples": 50,
        "share": 0.5,
    }
    assert [t["function"] for t in summary["top_own"][1:]] == [
        "fetch (asyncpg/connection.py)",
        "dumps (json/__init__.py)",
    ]
    own, inclusive = summary["groups_own"], summary["groups_inclusive"]
    assert (own["uvloop/asyncio"], own["asyncpg"], own["json"], own["sqlalchemy"]) == (
        0.5,
        0.3,
        0.2,
        0.0,
    )
    assert (inclusive["sqlalchemy"], inclusive["lianxin/our code"], inclusive["other"]) == (
        0.3,
        0.5,
        1.0,
    )
    # A process py-spy could not attach to is said so, not a failure.
    profile = {"tool": "py-spy", "processes": {"incidents": {"error": "Permission denied"}}}
    assert "| incidents | Permission denied |" in profile_lines(profile)
