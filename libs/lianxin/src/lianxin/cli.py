"""The `lianxin` command: run the platform, migrate, declare streams, load demo, play a dept."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import typer

from lianxin.messaging.connection import without_user
from lianxin.runtime import local, platform
from lianxin.runtime.local import (
    NATS_PORT,
    PG_PORT,
    accounts_file,
    database_url,
    nats_login,
    nats_pid_file,
    nats_url,
    nats_url_with_login,
)
from lianxin.runtime.platform import PLATFORM_SECRET
from lianxin.runtime.processes import port_open

app = typer.Typer(help="Lianxin 连心: run and operate the platform.", no_args_is_help=True)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


@app.command()
def up(
    load_demo: bool = typer.Option(True, "--demo/--no-demo", help="Load the demo alliance"),
    cluster: bool = typer.Option(
        False,
        "--cluster",
        help="three NATS nodes on loopback (R3 streams) and two replicas of each service",
    ),
):
    """Start everything in the foreground and keep it running (a crashed service is restarted);
    Ctrl-C stops it all. Data stays in .lianxin/."""
    from lianxin.runtime.cluster import ClusterLayout, replica_of, second
    from lianxin.runtime.nats import EmbeddedNats
    from lianxin.runtime.postgres import EmbeddedPostgres
    from lianxin.runtime.supervisor import Supervisor

    external = bool(os.environ.get("DATABASE_URL") and os.environ.get("NATS_URL"))
    postgres = nats_server = syncing = None
    services: list[platform.ServiceProcess] = []
    # Stop the same way on Ctrl-C, SIGTERM or a closed terminal, even mid-start (and even when a
    # parent started us with SIGINT ignored, as shells do for background jobs).
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)
    _local_secrets()
    ports = platform.default_ports()
    layout = ClusterLayout.from_env(NATS_PORT, ports) if cluster else None
    ours = [] if external else [PG_PORT, NATS_PORT, *(layout.nats_ports if layout else [])]
    second_ports = [*layout.second_ports.values()] if layout else []
    busy = [p for p in dict.fromkeys([*ports.values(), *second_ports, *ours]) if port_open(p)]
    if busy:
        typer.echo(f"Port(s) {busy} already in use: is Lianxin already running?", err=True)
        raise typer.Exit(1)
    try:
        if not external:
            typer.echo(
                f"Starting PostgreSQL (port {PG_PORT}) and NATS (port {NATS_PORT})"
                f" in {local.DATA_DIR}/"
            )
            postgres = EmbeddedPostgres(local.DATA_DIR / "postgres", PG_PORT)
            postgres.start()
            if layout:
                _nats_auth()  # the accounts file, with the platform user, that every node includes
                nats_server = layout.nats(local.DATA_DIR / "nats" / "cluster", accounts_file())
                _start_nats_cluster(nats_server)
            else:
                nats_server = EmbeddedNats(
                    local.DATA_DIR / "nats", NATS_PORT, extra_config=_nats_auth()
                )
                nats_server.start()
        if layout:
            from lianxin.runtime.cluster import declare_replicated_streams, patiently

            declare_replicated_streams()
            patiently(lambda: platform.bootstrap(database_url(), nats_url(), nats_login()))
        else:
            platform.bootstrap(database_url(), nats_url(), nats_login())

        def start(name: str) -> platform.ServiceProcess:
            """A service's process; with --cluster, `<service>-2` is its second replica."""
            service, is_second = replica_of(name)
            return platform.start_service(
                service,
                server_url=database_url(),
                nats_url=nats_url(),
                nats_login=nats_login(),
                ports={**ports, service: layout.second_ports[service]} if is_second else ports,
                log_dir=local.DATA_DIR / "logs",
                spans_dir=local.DATA_DIR / "spans",
                process_name=name,
            )

        # A cluster's services start while its nodes still settle their Raft groups, on a host
        # that may run ten Python processes on two cores: give them longer.
        ready_within = 900.0 if layout else 300.0
        for service in platform.SERVICES:
            services.append(start(service))
        platform.wait_ready(services, ready_within)
        if layout:  # once the first replicas are up: ten Python processes at once crawl
            seconds = [start(second(service)) for service in platform.SERVICES]
            services.extend(seconds)
            platform.wait_ready(seconds, ready_within)
        if load_demo:
            from lianxin.demo import load_demo as load

            # The loader finds incidents by INCIDENTS_URL (its deliberations report incidents):
            # on ports of their own (<SERVICE>_PORT) it would otherwise try the default one.
            os.environ.setdefault("INCIDENTS_URL", f"http://127.0.0.1:{ports['incidents']}")

            created = load(
                f"http://127.0.0.1:{ports['organisation']}",
                platform.PLATFORM_SECRET,
                lists=True,
                resources_url=f"http://127.0.0.1:{ports['resources']}",
                volunteers_url=f"http://127.0.0.1:{ports['volunteers']}",
            )
            if any(created.values()):
                typer.echo(f"Loaded the demo alliance: {created}")
        if nats_server:
            codes, syncing = _sync_nats_users(
                f"http://127.0.0.1:{ports['organisation']}", nats_server
            )
            typer.echo(f"NATS users for departments: {', '.join(codes) or 'none'}")
        signed = _issue_webhook_keys(ports)
        if signed:
            typer.echo(
                f"Webhook signing keys issued for: {', '.join(signed)}"
                f" (in {local.DATA_DIR}/secrets/)"
            )
        for svc in services:
            typer.echo(f"  {svc.name:<15} {svc.url}")
        if layout:
            typer.echo(f"NATS cluster (R3 streams): {nats_url()}")
        typer.echo(f"Lianxin console: http://127.0.0.1:{ports['console']}")
        typer.echo(f"Logs in {local.DATA_DIR}/logs/. Ctrl-C stops everything.")
        supervisor = Supervisor(
            services,
            start=lambda service: start(service).process,
            say=lambda line: typer.echo(f"{_now()} {line}; log: {local.DATA_DIR}/logs/", err=True),
        )
        while True:
            supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        # Whatever state the start was in, and however many Ctrl-C follow: stopping is bounded
        # (each process gets its grace period, then SIGKILL) and is not to be cut short, or
        # PostgreSQL or a service is left running and the next `make run` finds its port taken.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        typer.echo("Stopping…")
        if syncing is not None:
            syncing.set()  # before organisation stops: its last round would fail, and say so
        platform.stop_services(services)
        if nats_server:
            nats_server.stop()
        if postgres:
            postgres.stop()


def _local_secrets() -> None:
    """Secrets this machine generates at first start and keeps beside its data, so that what
    they protect survives a restart: the key departments' webhook signing keys are encrypted
    with, and the key residents' rating links are signed with (production sets both)."""
    import secrets

    from cryptography.fernet import Fernet

    from lianxin.runtime.nats_users import write_private

    generated = {
        "LIANXIN_KEYS_ENCRYPTION_KEY": (
            "keys-encryption-key",
            lambda: Fernet.generate_key().decode(),
        ),
        "LIANXIN_RATING_LINK_KEY": ("rating-link-key", lambda: secrets.token_urlsafe(32)),
    }
    for setting, (name, generate) in generated.items():
        path = local.DATA_DIR / "secrets" / name
        if setting not in os.environ:
            if not path.exists():
                write_private(path, generate())
            os.environ[setting] = path.read_text().strip()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _nats_auth() -> str:
    """The embedded server's users: the accounts file (the platform user alone until the
    departments are known; the last run's departments after that), and a pid file for reloads."""
    from lianxin.runtime.nats_users import platform_password, write_accounts

    if not accounts_file().exists():
        write_accounts(accounts_file(), [], platform_password(local.DATA_DIR))
    # nats-server resolves an include against the including file's folder, even an absolute one:
    # accounts.conf lies beside the nats.conf that EmbeddedNats writes.
    return f"include accounts.conf\npid_file: {str(nats_pid_file().resolve())!r}\n"


def _issue_webhook_keys(ports: dict[str, int]) -> list[str]:
    """A first signing key for each webhook department without one kept here (the demo's
    `property`, one registered since the last start): its deliveries are signed from the start."""
    from lianxin.keys_cli import issue_missing_keys

    organisation, incidents = (
        f"http://127.0.0.1:{ports[s]}" for s in ("organisation", "incidents")
    )
    return issue_missing_keys("webhook", incidents, organisation, local.DATA_DIR)


def _start_nats_cluster(nats_cluster) -> None:
    """Start the three nodes and wait for their JetStream; from here on this process's NATS_URL
    lists them, with the platform's login beside it as options (what the services get)."""
    from lianxin.runtime.nats import jetstream_ready

    login = nats_login()  # the platform user, while NATS_URL is not set yet
    typer.echo(f"NATS cluster: {nats_cluster.url}")
    nats_cluster.start()
    # A restart recovers every R3 stream's and consumer's Raft group before JetStream answers:
    # seconds alone, minutes on a machine as busy as a shared CI runner.
    asyncio.run(jetstream_ready(nats_cluster.url, login, seconds=300))
    os.environ.update(NATS_URL=nats_cluster.url, NATS_USER=login.user)
    os.environ["NATS_PASSWORD"] = login.password


def _sync_nats_users(organisation_url: str, nats_server) -> tuple[list[str], threading.Event]:
    """Keys from organisation -> accounts file -> reload -> the departments' consumers exist
    (also when the departments were known before this server's account was). Then again every
    so often, in the background: a rotated key's overlap ends, a retired department's user goes."""
    from lianxin.keys_cli import issue_missing_keys
    from lianxin.runtime import nats_users

    # The demo's NATS departments get their first key here, kept for dept-sim (issued_keys).
    issue_missing_keys("nats", organisation_url, organisation_url, local.DATA_DIR)
    syncing = nats_users.sync_in_background(
        lambda: nats_users.fetch_nats_users(organisation_url, PLATFORM_SECRET),
        accounts_file(),
        nats_users.platform_password(local.DATA_DIR),
        nats_server.reload,
    )
    departments = nats_users.fetch_departments(organisation_url, PLATFORM_SECRET)
    url = nats_url_with_login()
    return asyncio.run(nats_users.declare_department_consumers(url, departments)), syncing


@app.command()
def migrate():
    """Create each service's database if missing and migrate it to head."""
    asyncio.run(platform.create_databases(database_url()))
    platform.migrate(database_url())
    typer.echo("migrated: " + ", ".join(platform.DATABASE_SERVICES))


@app.command()
def streams():
    """Declare every stream and durable consumer from the one declaration in code."""
    asyncio.run(platform.declare_streams(nats_url(), nats_login()))
    typer.echo("streams and consumers declared")


@app.command()
def demo(
    organisation_url: str = typer.Option("http://127.0.0.1:8001", envvar="ORGANISATION_URL"),
    resources_url: str = typer.Option("http://127.0.0.1:8003", envvar="RESOURCES_URL"),
    volunteers_url: str = typer.Option("http://127.0.0.1:8004", envvar="VOLUNTEERS_URL"),
    lists: bool = typer.Option(True, "--lists/--no-lists", help="Resources and volunteers too"),
):
    """Load the demo alliance through organisation's API, and the resources lists and volunteers
    through theirs (idempotent)."""
    from lianxin.demo import load_demo

    typer.echo(
        load_demo(
            organisation_url,
            platform.PLATFORM_SECRET,
            lists=lists,
            resources_url=resources_url,
            volunteers_url=volunteers_url,
        )
    )


@app.command("dept-sim")
def dept_sim(
    department: str = typer.Option("power_supply", "--department", "-d"),
    resolve_after: float = typer.Option(0.2, help="seconds between signing for and resolving"),
    limit: int = typer.Option(0, help="stop after this many whistles (0: never)"),
    user: str = typer.Option(
        None, envvar="LIANXIN_NATS_USER", help="[default: from `lianxin nats-credentials`]"
    ),
    password: str = typer.Option(None, envvar="LIANXIN_NATS_PASSWORD"),
    stopped_file: Path = typer.Option(
        None,
        help="where the assignments taken away are kept [default: $LIANXIN_DATA_DIR/dept-sim/]",
    ),
):
    """Play a department system over plain nats-py: sign for each whistle, then resolve it.
    Ctrl-C or SIGTERM stops it at once (a whistle not yet acked comes again next time)."""
    from lianxin import dept_sim as sim
    from lianxin.runtime import issued_keys
    from lianxin.telemetry import setup_telemetry

    # On a laptop the key the demo (or `lianxin keys rotate`) issued is kept in the data dir.
    kept = issued_keys.nats_login(local.DATA_DIR, department) or {"user": None, "password": None}
    login = {"user": user or kept["user"], "password": password or kept["password"]}

    setup_telemetry(f"department-{department}", spans_file=os.environ.get("LIANXIN_SPANS_FILE", ""))
    logging.getLogger("dept-sim").setLevel(logging.INFO)
    # asyncio.run turns Ctrl-C into the cancellation of the run; SIGTERM the same way. Python
    # keeps SIGINT ignored when it starts with it ignored (launched by a background shell job):
    # asyncio.run then leaves it so, and Ctrl-C would never stop it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        handled = asyncio.run(
            sim.run(
                without_user(nats_url()),
                department,
                resolve_after=resolve_after,
                limit=limit or None,
                stopped_file=stopped_file
                or local.DATA_DIR / "dept-sim" / f"{department}-stopped.json",
                **login,
            )
        )
    except KeyboardInterrupt:
        sys.exit(0)
    finally:
        from lianxin.telemetry import shutdown_telemetry

        shutdown_telemetry()
    typer.echo(f"handled {handled} whistles")


def _more_commands() -> None:
    """`lianxin keys …`, `lianxin nats-config` and `nats-credentials`; `lianxin bench` and
    `lianxin faults`, each on a platform of its own."""
    from lianxin.keys_cli import keys_app
    from lianxin.measure_cli import bench, faults
    from lianxin.nats_cli import nats_config, nats_credentials

    app.add_typer(keys_app, name="keys")
    app.command("nats-config")(nats_config)
    app.command("nats-credentials")(nats_credentials)
    app.command()(bench)
    app.command()(faults)


_more_commands()

if __name__ == "__main__":
    app()
