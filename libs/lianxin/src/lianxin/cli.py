"""The `lianxin` command: run the platform, migrate, declare streams, load demo, play a dept."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import get_args

import typer

from lianxin.runtime import platform
from lianxin.runtime.processes import port_open

app = typer.Typer(help="Lianxin 连心: run and operate the platform.", no_args_is_help=True)

DATA_DIR = Path(os.environ.get("LIANXIN_DATA_DIR", ".lianxin"))
PG_PORT = int(os.environ.get("LIANXIN_PG_PORT", "54320"))
NATS_PORT = int(os.environ.get("LIANXIN_NATS_PORT", "4222"))


def _database_url() -> str:
    return os.environ.get("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres")


def _nats_url() -> str:
    return os.environ.get("NATS_URL", f"nats://127.0.0.1:{NATS_PORT}")


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


@app.command()
def up(load_demo: bool = typer.Option(True, "--demo/--no-demo", help="Load the demo alliance")):
    """Start everything in the foreground; Ctrl-C stops it all. Data stays in .lianxin/."""
    from lianxin.runtime.nats import EmbeddedNats
    from lianxin.runtime.postgres import EmbeddedPostgres

    external = bool(os.environ.get("DATABASE_URL") and os.environ.get("NATS_URL"))
    postgres = nats_server = None
    services: list[platform.ServiceProcess] = []
    # Stop the same way on Ctrl-C, SIGTERM or a closed terminal, even mid-start (and even when a
    # parent started us with SIGINT ignored, as shells do for background jobs).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    ports = platform.default_ports()
    busy = [
        p for p in [*ports.values(), *([] if external else [PG_PORT, NATS_PORT])] if port_open(p)
    ]
    if busy:
        typer.echo(f"Port(s) {busy} already in use: is Lianxin already running?", err=True)
        raise typer.Exit(1)
    try:
        if not external:
            typer.echo(
                f"Starting PostgreSQL (port {PG_PORT}) and NATS ({_nats_url()}) in {DATA_DIR}/"
            )
            postgres = EmbeddedPostgres(DATA_DIR / "postgres", PG_PORT)
            postgres.start()
            nats_server = EmbeddedNats(DATA_DIR / "nats", NATS_PORT)
            nats_server.start()
        platform.bootstrap(_database_url(), _nats_url())
        spans_dir = DATA_DIR / "spans"
        for service in platform.SERVICES:
            services.append(
                platform.start_service(
                    service,
                    server_url=_database_url(),
                    nats_url=_nats_url(),
                    ports=ports,
                    log_dir=DATA_DIR / "logs",
                    spans_dir=spans_dir,
                )
            )
        platform.wait_ready(services)
        if load_demo:
            from lianxin.demo import load_demo as load

            created = load(f"http://127.0.0.1:{ports['organisation']}", platform.PLATFORM_SECRET)
            if any(created.values()):
                typer.echo(f"Loaded the demo alliance: {created}")
        for svc in services:
            typer.echo(f"  {svc.name:<13} {svc.url}")
        typer.echo(f"Lianxin console: http://127.0.0.1:{ports['console']}")
        typer.echo("Logs in .lianxin/logs/. Ctrl-C stops everything.")
        while not (exited := [svc for svc in services if svc.process.poll() is not None]):
            time.sleep(0.5)
        typer.echo(f"{exited[0].name} exited; see .lianxin/logs/{exited[0].name}.log", err=True)
        raise typer.Exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        typer.echo("Stopping…")
        platform.stop_services(services)
        if nats_server:
            nats_server.stop()
        if postgres:
            postgres.stop()


@app.command()
def migrate():
    """Create each service's database if missing and migrate it to head."""
    asyncio.run(platform.create_databases(_database_url()))
    platform.migrate(_database_url())
    typer.echo("migrated: " + ", ".join(platform.DATABASE_SERVICES))


@app.command()
def streams():
    """Declare every stream and durable consumer from the one declaration in code."""
    asyncio.run(platform.declare_streams(_nats_url()))
    typer.echo("streams and consumers declared")


@app.command()
def demo(organisation_url: str = typer.Option("http://127.0.0.1:8001", envvar="ORGANISATION_URL")):
    """Load the demo alliance through organisation's API (idempotent)."""
    from lianxin.demo import load_demo

    typer.echo(load_demo(organisation_url, platform.PLATFORM_SECRET))


@app.command()
def bench(
    reporters: int = typer.Option(8, min=1, help="concurrent grid reporters (and ceiling workers)"),
    loops: int = typer.Option(200, min=1, help="measured loops in all, warm-up not included"),
    warmup: int = typer.Option(8, min=0, help="loops run first and left out of the figures"),
    urgency: str = typer.Option("emergency", help="emergency (wartime) or utilities, general…"),
    out: Path = typer.Option(Path(".lianxin/bench"), help="where bench.json and bench.md go"),
    poll_ms: int = typer.Option(50, min=1, help="each reporter's GET interval while it waits"),
    keep: bool = typer.Option(False, help="keep the throwaway platform's directory and logs"),
):
    """Throughput and latency of the whistle-and-report loop on a throwaway platform, and the
    ceiling: the same PostgreSQL commits and JetStream publishes from a bare script."""
    from lianxin.bench.own_platform import own_platform
    from lianxin.bench.platform_run import Scenario
    from lianxin.bench.report import markdown, write
    from lianxin.bench.run import run_bench
    from lianxin.contracts.incidents import Urgency

    if urgency not in get_args(Urgency):
        raise typer.BadParameter(f"one of {', '.join(get_args(Urgency))}", param_hint="--urgency")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    say = lambda line: typer.echo(line, err=True)  # noqa: E731 - progress on stderr
    try:
        with own_platform(say, keep=keep) as running:
            say(f"{warmup} warm-up and {loops} loops, {reporters} reporters; then the ceiling")
            result = asyncio.run(
                run_bench(
                    running.target,
                    running.server_url,
                    reporters=reporters,
                    loops=loops,
                    warmup=warmup,
                    scenario=Scenario(urgency=urgency, poll_seconds=poll_ms / 1000),
                )
            )
    except KeyboardInterrupt:
        say("Interrupted; everything stopped.")
        raise typer.Exit(130) from None
    json_path, md_path = write(result, out)
    typer.echo(markdown(result))
    say(f"Written {json_path} and {md_path}")


@app.command("dept-sim")
def dept_sim(
    department: str = typer.Option("power_supply", "--department", "-d"),
    resolve_after: float = typer.Option(0.2, help="seconds between signing for and resolving"),
    limit: int = typer.Option(0, help="stop after this many whistles (0: never)"),
):
    """Play a department system over plain nats-py: sign for each whistle, then resolve it."""
    from lianxin import dept_sim as sim
    from lianxin.telemetry import setup_telemetry

    setup_telemetry(f"department-{department}", spans_file=os.environ.get("LIANXIN_SPANS_FILE", ""))
    logging.getLogger("dept-sim").setLevel(logging.INFO)
    try:
        handled = asyncio.run(
            sim.run(_nats_url(), department, resolve_after=resolve_after, limit=limit or None)
        )
    except KeyboardInterrupt:
        sys.exit(0)
    finally:
        from lianxin.telemetry import shutdown_telemetry

        shutdown_telemetry()
    typer.echo(f"handled {handled} whistles")


if __name__ == "__main__":
    app()
