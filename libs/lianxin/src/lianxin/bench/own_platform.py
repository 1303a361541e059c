"""A throwaway platform for one bench run: its own servers, ports and data, gone afterwards.

Started as `lianxin up` starts it (embedded PostgreSQL and NATS, both durable), on free ports in
a temporary directory, so it never meets a platform `make run` has up. Spans go nowhere.
PostgreSQL preloads `pg_stat_statements`, so the bench reads what each service executed from the
server's own statistics.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lianxin.auth import fetch_token
from lianxin.bench.layout import Layout
from lianxin.bench.platform_run import Target
from lianxin.demo import GRID_NODES, load_demo
from lianxin.http_clients import sync_client
from lianxin.runtime import platform
from lianxin.runtime.nats import EmbeddedNats
from lianxin.runtime.postgres import EmbeddedPostgres
from lianxin.runtime.processes import free_port


@dataclass(frozen=True)
class OwnPlatform:
    target: Target
    server_url: str
    workdir: Path
    # process id of each service, of `postgres` (the postmaster) and of `nats`: their CPU time
    processes: dict[str, int]


@contextmanager
def own_platform(
    say: Callable[[str], None] = print, *, keep: bool = False, layout: Layout = Layout()
) -> Iterator[OwnPlatform]:
    """Everything up with the demo (without its people) loaded; everything stopped on the way out.
    `layout`: the processes beside each service's first (replicas, or its workers process), all
    started together before the demo is loaded.

    The directory is removed, unless `keep` or something failed (not Ctrl-C): then it stays, with
    the services' logs.
    """
    workdir = Path(tempfile.mkdtemp(prefix="lianxin-bench-"))
    postgres = EmbeddedPostgres(
        workdir / "postgres" / "data",
        free_port(),
        settings={"shared_preload_libraries": "pg_stat_statements"},
    )
    nats_server = EmbeddedNats(workdir / "nats", free_port())
    services: list[platform.ServiceProcess] = []
    try:
        say(f"Starting a throwaway platform in {workdir}/")
        postgres.start()
        nats_server.start()
        platform.bootstrap(postgres.url(), nats_server.url)
        ports = {service: free_port() for service in platform.SERVICES}
        start = functools.partial(
            platform.start_service,
            server_url=postgres.url(),
            nats_url=nats_server.url,
            log_dir=workdir / "logs",
        )
        for service in platform.SERVICES:
            services.append(start(service, ports=ports, role=layout.role_of_first(service)))
        replica_urls = []  # the reporters' other doors: incidents' replicas serving HTTP
        for extra in layout.extras():
            own_port = {**ports, extra.service: free_port()}
            started = start(extra.service, ports=own_port, role=extra.role, process_name=extra.name)
            services.append(started)
            if extra.service == "incidents" and extra.role is None:
                replica_urls.append(started.url)
        platform.wait_ready(services)
        organisation = f"http://127.0.0.1:{ports['organisation']}"
        incidents = f"http://127.0.0.1:{ports['incidents']}"
        say("Loading the demo alliance (without its people)")
        load_demo(organisation, platform.PLATFORM_SECRET, people=False)
        token = fetch_token(organisation, "platform", platform.PLATFORM_SECRET, client=True)
        _wait_until_incidents_knows_the_demo(incidents, token)
        processes = {svc.name: svc.process.pid for svc in services}
        processes["postgres"] = postgres.process.pid
        processes["nats"] = nats_server.process.pid
        target = Target(incidents, nats_server.url, token, tuple(replica_urls))
        yield OwnPlatform(target, postgres.url(), workdir, processes)
    except Exception:
        keep = True
        raise
    finally:
        platform.stop_services(services)
        nats_server.stop()
        postgres.stop()
        if keep:
            say(f"Logs kept in {workdir}/")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_incidents_knows_the_demo(incidents_url: str, token: str) -> None:
    """incidents learns the grid tree from ORG events, one per node: wait until it has them all."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 120
    with sync_client(base_url=incidents_url, headers=headers, timeout=10) as http:
        while time.monotonic() < deadline:
            nodes = http.get("/grid-nodes")
            nodes.raise_for_status()
            if len(nodes.json()) == len(GRID_NODES) and http.get("/departments").json():
                return
            time.sleep(0.5)
    raise TimeoutError("incidents did not learn the demo's grid tree within 120s")
