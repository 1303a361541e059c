"""One bench run against a running platform: the loops, then the ceiling on the same servers,
then the curve (loops/s and p99 at several reporter counts)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lianxin.bench import machine, server_stats
from lianxin.bench.ceiling import run_ceiling
from lianxin.bench.platform_run import Scenario, Target, run_open_loop, run_platform
from lianxin.bench.profile import Profiler
from lianxin.bench.report import build, curve_point, half_load_point, host_info
from lianxin.bench.stats import rate


def _postgres_dsn(server_url: str) -> str:
    parts = urlsplit(server_url.replace("+asyncpg", ""))
    return urlunsplit(parts._replace(path="/postgres"))


async def run_bench(
    target: Target,
    server_url: str,
    *,
    reporters: int,
    loops: int,
    warmup: int,
    scenario: Scenario = Scenario(),
    processes: Mapping[str, int] | None = None,
    settle_seconds: float = 0.0,
    curve: Sequence[int] = (),
    curve_loops: int = 40,
    half_load_loops: int = 0,
    layout: Mapping[str, object] | None = None,
    profile_dir: Path | None = None,
) -> dict:
    """`server_url`: the PostgreSQL server the platform's databases are on (any database).
    `processes`: name → pid of the platform's processes, for their CPU time. `settle_seconds`:
    the pause before each statistics snapshot (see `server_stats`). `half_load_loops`: that many
    loops offered at half the highest loops/s measured (the run's or a curve point's), on a
    fixed schedule (`run_open_loop`); none when 0. `layout`: how many processes of each service
    run (`Layout.describe`), for the params. `profile_dir`: py-spy on each service process over the
    measured loops, its raw files there (`bench.profile`); none when None."""
    host = host_info()
    dsn = _postgres_dsn(server_url)
    processes = dict(processes or {})
    await run_platform(target, reporters=reporters, loops=0, warmup=warmup, scenario=scenario)
    await asyncio.sleep(settle_seconds)
    before = await server_stats.snapshot(dsn, processes)
    services = {name: pid for name, pid in processes.items() if name not in ("postgres", "nats")}
    profiler = Profiler(services, profile_dir) if profile_dir is not None else None
    if profiler:
        profiler.start()
    window_start = machine.sample(processes)
    run = await run_platform(target, reporters=reporters, loops=loops, warmup=0, scenario=scenario)
    window = machine.window(window_start, machine.sample(processes))
    profile = profiler.stop() if profiler else None
    run = dataclasses.replace(run, warmup=warmup)
    await asyncio.sleep(settle_seconds)
    after = await server_stats.snapshot(dsn, processes)
    servers = server_stats.per_loop(before, after, len(run.loops))
    servers["settle_seconds"] = settle_seconds
    # The services stay up and idle meanwhile: the ceiling shares the machine as the loops did.
    ceiling = await run_ceiling(
        server_url,
        target.nats_url,
        workers=reporters,
        loops=loops,
        warmup=warmup,
        wartime=scenario.wartime,
    )
    points = []
    for count in curve:
        point = await run_platform(
            target,
            reporters=count,
            loops=max(curve_loops, 4 * count),
            warmup=min(warmup, count),
            scenario=scenario,
        )
        points.append(curve_point(count, point))
    half = None
    if half_load_loops:
        highest = max([rate(len(run.loops), run.seconds), *(p["loops_per_second"] for p in points)])
        offered = highest / 2
        half = half_load_point(
            offered,
            await run_open_loop(target, rate=offered, loops=half_load_loops, scenario=scenario),
        )
    params = {
        "reporters": reporters,
        "loops": loops,
        "warmup": warmup,
        "micro_grid": scenario.micro_grid_code,
        "department": scenario.department_code,
        "urgency": scenario.urgency,
        "poll_ms": round(scenario.poll_seconds * 1000),
        "curve": list(curve),
        "curve_loops": curve_loops,
        "half_load_loops": half_load_loops,
        "processes": {**(layout or {}), "names": list(services)},
        "profile": profile_dir is not None,
    }
    return build(
        params,
        host,
        run,
        ceiling,
        servers=servers,
        machine=window,
        profile=profile,
        curve=points,
        half_load=half,
    )
