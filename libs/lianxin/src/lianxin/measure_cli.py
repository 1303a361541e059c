"""`lianxin bench` and `lianxin faults`: the whistle loop measured, and put through faults, each on
a throwaway platform of its own (registered as commands by `lianxin.cli`)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import get_args

import typer


def _stop_on_signals() -> None:
    """Ctrl-C, SIGTERM or a closed terminal: the run stops and its platform with it."""

    def interrupt(_signum, _frame) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def bench(
    reporters: int = typer.Option(8, min=1, help="concurrent grid reporters (and ceiling workers)"),
    loops: int = typer.Option(200, min=1, help="measured loops in all, warm-up not included"),
    warmup: int = typer.Option(8, min=0, help="loops run first and left out of the figures"),
    urgency: str = typer.Option("emergency", help="emergency (wartime) or utilities, general…"),
    out: Path = typer.Option(Path(".lianxin/bench"), help="where bench.json and bench.md go"),
    poll_ms: int = typer.Option(
        10, min=1, help="each reporter's GET interval once the department has resolved"
    ),
    keep: bool = typer.Option(False, help="keep the throwaway platform's directory and logs"),
    curve: str = typer.Option(
        "1,2,4,8,16", help="reporter counts of the curve, comma-separated ('' for none)"
    ),
    curve_loops: int = typer.Option(40, min=1, help="measured loops per point of the curve"),
    half_load_loops: int = typer.Option(
        100, min=0, help="loops offered at half the highest loops/s, on a fixed schedule (0: none)"
    ),
    replicas: str = typer.Option(
        "1",
        help="processes of each consuming service (N), or of those named: incidents=2,…"
        " (on 2 cores: 11-23 % more CPU per loop, no more loops/s; README)",
    ),
    split: bool = typer.Option(
        False,
        "--split",
        help="each consuming service as an HTTP process and a workers process"
        " (on 2 cores: 10 % more CPU per loop, no more loops/s; README)",
    ),
    profile: bool = typer.Option(
        False, "--profile", help="py-spy on each service process; top functions, raw files in --out"
    ),
):
    """Throughput and latency of the whistle-and-report loop on a throwaway platform, and the
    ceiling: the same PostgreSQL commits and JetStream publishes from a bare script."""
    from lianxin.bench.layout import CONSUMING, Layout, parse_replicas
    from lianxin.bench.own_platform import own_platform
    from lianxin.bench.platform_run import Scenario
    from lianxin.bench.report import markdown, write
    from lianxin.bench.run import run_bench
    from lianxin.contracts.incidents import Urgency

    if urgency not in get_args(Urgency):
        raise typer.BadParameter(f"one of {', '.join(get_args(Urgency))}", param_hint="--urgency")
    try:
        curve_counts = [int(n) for n in curve.split(",") if n.strip()]
    except ValueError:
        raise typer.BadParameter("whole numbers, e.g. 1,2,4,8,16", param_hint="--curve") from None
    if any(n < 1 for n in curve_counts):
        raise typer.BadParameter("reporter counts of at least 1", param_hint="--curve")
    try:
        layout = Layout(parse_replicas(replicas), CONSUMING if split else ())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--replicas") from None
    _stop_on_signals()
    say = lambda line: typer.echo(line, err=True)  # noqa: E731 - progress on stderr
    try:
        with own_platform(say, keep=keep, layout=layout) as running:
            say(f"{warmup} warm-up and {loops} loops, {reporters} reporters; then the ceiling")
            result = asyncio.run(
                run_bench(
                    running.target,
                    running.server_url,
                    reporters=reporters,
                    loops=loops,
                    warmup=warmup,
                    scenario=Scenario(urgency=urgency, poll_seconds=poll_ms / 1000),
                    processes=running.processes,
                    # PostgreSQL's idle backends hand over their counts within 10 s.
                    settle_seconds=11.0,
                    curve=curve_counts,
                    curve_loops=curve_loops,
                    half_load_loops=half_load_loops,
                    layout=layout.describe(),
                    profile_dir=out if profile else None,
                )
            )
    except KeyboardInterrupt:
        say("Interrupted; everything stopped.")
        raise typer.Exit(130) from None
    json_path, md_path = write(result, out)
    typer.echo(markdown(result))
    say(f"Written {json_path} and {md_path}")


def faults(
    loops: int = typer.Option(60, min=1, help="whistle loops per scenario"),
    rate: float = typer.Option(3.0, min=0.1, help="loops offered a second"),
    fault_after: float = typer.Option(2.0, min=0, help="seconds into the load the fault begins"),
    bound: float = typer.Option(120.0, min=1, help="seconds the loops have to converge after"),
    only: str = typer.Option("", help="scenarios to run, comma-separated ('' for all)"),
    out: Path = typer.Option(Path(".lianxin/faults"), help="where faults.json and faults.md go"),
    keep: bool = typer.Option(False, help="keep the platform's directory and logs"),
    cluster: bool = typer.Option(
        False, "--cluster", help="three NATS nodes, R3 streams: the stream leaders killed"
    ),
):
    """Whistle loops through faults on a platform of its own: kill -9 of each service, of NATS
    and of PostgreSQL, NATS paused, the department offline, poison, two replicas. Checks that
    nothing acknowledged was lost, nothing applied twice, every loop converged. Exit 1 if not."""
    from lianxin.faults.control import fault_platform
    from lianxin.faults.report import markdown, write
    from lianxin.faults.run import run_all
    from lianxin.faults.scenarios import CLUSTER_SCENARIOS, SCENARIOS, named

    names = [n.strip() for n in only.split(",") if n.strip()]
    try:
        chosen = named(names, cluster) if names else CLUSTER_SCENARIOS if cluster else SCENARIOS
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="--only") from None
    _stop_on_signals()
    say = lambda line: typer.echo(line, err=True)  # noqa: E731 - progress on stderr
    settings = {"loops": loops, "rate": rate, "fault_after": fault_after, "bound": bound}
    try:
        with fault_platform(say, keep=keep, cluster=cluster) as plat:
            outcomes = run_all(plat, list(chosen), say, **settings)
    except KeyboardInterrupt:
        say("Interrupted; everything stopped.")
        raise typer.Exit(130) from None
    json_path, md_path = write(outcomes, {**settings, "cluster": cluster}, out)
    typer.echo(markdown([o.to_dict() for o in outcomes]))
    say(f"Written {json_path} and {md_path}")
    if not all(o.held for o in outcomes):
        raise typer.Exit(1)
