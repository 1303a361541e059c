"""One bench run against a running platform: the loops, then the ceiling on the same servers."""

from __future__ import annotations

from lianxin.bench.ceiling import run_ceiling
from lianxin.bench.platform_run import Scenario, Target, run_platform
from lianxin.bench.report import build, host_info


async def run_bench(
    target: Target,
    server_url: str,
    *,
    reporters: int,
    loops: int,
    warmup: int,
    scenario: Scenario = Scenario(),
) -> dict:
    """`server_url`: the PostgreSQL server the platform's databases are on (any database)."""
    host = host_info()
    run = await run_platform(
        target, reporters=reporters, loops=loops, warmup=warmup, scenario=scenario
    )
    # The services stay up and idle meanwhile: the ceiling shares the machine as the loops did.
    ceiling = await run_ceiling(
        server_url,
        target.nats_url,
        workers=reporters,
        loops=loops,
        warmup=warmup,
        wartime=scenario.wartime,
    )
    params = {
        "reporters": reporters,
        "loops": loops,
        "warmup": warmup,
        "micro_grid": scenario.micro_grid_code,
        "department": scenario.department_code,
        "urgency": scenario.urgency,
        "poll_ms": round(scenario.poll_seconds * 1000),
    }
    return build(params, host, run, ceiling)
