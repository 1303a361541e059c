"""Platform control for the fault suite: a platform of its own whose every process it can kill.

Started as the bench starts its own (embedded PostgreSQL and NATS, both durable, on free ports
in a temporary directory), plus a department client, `lianxin dept-sim`, as a child process
that reads its credentials the way the command does. Every fault is done to a process this
object started, and it restarts what it killed itself: the suite must not depend on
`lianxin up` restarting anything.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lianxin.auth import fetch_token
from lianxin.bench.own_platform import _wait_until_incidents_knows_the_demo
from lianxin.demo import load_demo
from lianxin.runtime import platform
from lianxin.runtime.cluster import patiently
from lianxin.runtime.nats import (
    EmbeddedNats,
    EmbeddedNatsCluster,
    free_ports,
    jetstream_ready,
    stream_leaders,
)
from lianxin.runtime.postgres import EmbeddedPostgres
from lianxin.runtime.processes import free_port, spawn, stop

DEPARTMENT = "power_supply"


@dataclass
class FaultPlatform:
    workdir: Path
    postgres: EmbeddedPostgres
    nats: EmbeddedNats | EmbeddedNatsCluster
    ports: dict[str, int]
    services: dict[str, platform.ServiceProcess] = field(default_factory=dict)
    replicas: list[platform.ServiceProcess] = field(default_factory=list)
    department: subprocess.Popen | None = None
    department_starts: int = 0
    # The duplicate window the run was started with (None: the streams' default)
    default_window: str | None = field(default_factory=lambda: os.environ.get(WINDOW))

    # -- where things are --------------------------------------------------------------------

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def nats_url(self) -> str:
        return self.nats.url

    def token(self) -> str:
        """A fresh platform token (they live 15 minutes; a whole run is longer)."""
        return fetch_token(
            self.url("organisation"), "platform", platform.PLATFORM_SECRET, client=True
        )

    # -- services ----------------------------------------------------------------------------

    def start_service(self, name: str) -> None:
        self.services[name] = self._spawn_service(name, self.ports)
        platform.wait_ready([self.services[name]])

    def kill_service(self, name: str) -> None:
        _kill(self.services[name].process)

    def start_replicas(self, names: tuple[str, ...]) -> dict[str, str]:
        """A second process of each of `names`, started together (one at a time, on a loaded
        machine, took minutes), each on a port of its own; their URLs by service."""
        started = {
            name: self._spawn_service(name, {**self.ports, name: free_port()}, suffix="-2")
            for name in names
        }
        self.replicas.extend(started.values())
        platform.wait_ready(list(started.values()))
        return {name: replica.url for name, replica in started.items()}

    def stop_replicas(self) -> None:
        platform.stop_services(self.replicas)
        self.replicas.clear()

    # -- the duplicate window (single-node scenarios) ----------------------------------------

    def use_duplicate_window(self, seconds: float | None) -> None:
        """JetStream's duplicate window of every stream, and incidents' relay (which looks a row
        up in its stream once it is older than half of it), at `seconds` (None: the default).
        Nothing is done if that is the window already: a scenario that needs a short one
        restarts incidents once, and the scenarios after it restore it only if they need to."""
        wanted = self.default_window if seconds is None else str(seconds)
        if os.environ.get(WINDOW) == wanted:
            return
        _restore(WINDOW, wanted)
        asyncio.run(platform.declare_streams(self.nats.url))  # updates each stream's window
        platform.stop_services([self.services["incidents"]])
        self.start_service("incidents")

    def relay_found_in_stream(self, service: str) -> int:
        """How many events `service`'s outbox relay has found already in their stream (published,
        but not marked sent before PostgreSQL went away), from its log so far."""
        log = self.workdir / "logs" / f"{service}.log"
        found = re.findall(r"outbox relay: (\d+) events already in their stream", log.read_text())
        return sum(int(n) for n in found)

    def _spawn_service(
        self, name: str, ports: dict[str, int], suffix: str = ""
    ) -> platform.ServiceProcess:
        log_dir = self.workdir / "logs"
        started = platform.start_service(
            name,
            server_url=self.postgres.url(),
            nats_url=self.nats.url,
            ports=ports,
            log_dir=log_dir / suffix if suffix else log_dir,
        )
        return started

    # -- NATS and PostgreSQL -----------------------------------------------------------------

    @property
    def single(self) -> EmbeddedNats:
        if not isinstance(self.nats, EmbeddedNats):
            raise TypeError("a fault of the single NATS server, on a cluster")
        return self.nats

    @property
    def cluster(self) -> EmbeddedNatsCluster:
        if not isinstance(self.nats, EmbeddedNatsCluster):
            raise TypeError("a fault of a NATS cluster, on a single server")
        return self.nats

    def stream_leader(self, stream: str) -> str:
        """The name of the node that leads `stream` now."""
        return asyncio.run(stream_leaders(self.nats.url, [stream]))[stream]

    def kill_node(self, name: str) -> None:
        node = self.cluster.node(name)
        _kill(node.process)
        node.process = None

    def start_node(self, name: str) -> None:
        self.cluster.node(name).start()

    def cut_off_node(self, name: str) -> None:
        """Its routes to the other nodes closed and refused (the proxies'): a partition."""
        self.cluster.cut_off(name)

    def heal_node(self, name: str) -> None:
        self.cluster.heal(name)

    def kill_nats(self) -> None:
        _kill(self.single.process)
        self.single.process = None

    def start_nats(self) -> None:
        self.single.start()  # same port, same store: JetStream recovers its streams

    def pause_nats(self) -> None:
        os.kill(self.single.process.pid, signal.SIGSTOP)

    def resume_nats(self) -> None:
        os.kill(self.single.process.pid, signal.SIGCONT)

    def kill_postgres_group(self) -> None:
        """SIGKILL to the postmaster and every backend: it was started in a session of its own,
        so its process group is exactly PostgreSQL."""
        process = self.postgres.process
        os.killpg(os.getpgid(process.pid), signal.SIGKILL)
        process.wait()
        self.postgres.process = None

    def start_postgres(self) -> None:
        self.postgres.start()  # crash recovery from the WAL

    # -- the department's system -------------------------------------------------------------

    def start_department(self) -> None:
        env = dict(os.environ, NATS_URL=self.nats.url)
        env["LIANXIN_PLATFORM_SECRET"] = platform.PLATFORM_SECRET
        args = [sys.executable, "-m", "lianxin.cli", "dept-sim", "--department", DEPARTMENT]
        self.department = spawn(
            [*args, "--resolve-after", "0"],
            log_file=self.workdir / "logs" / f"dept-sim-{DEPARTMENT}.log",
            env=env,
        )
        self.department_starts += 1

    def kill_department(self) -> None:
        if self.department is not None:
            _kill(self.department)
            self.department = None

    def department_exited(self) -> int | None:
        """The department client's exit code if it died by itself, else None."""
        if self.department is None or self.department.poll() is None:
            return None
        code = self.department.returncode
        self.department = None
        return code

    # -- shutting down -----------------------------------------------------------------------

    def stop(self) -> None:
        if self.department is not None:
            stop(self.department, signal.SIGKILL)
        self.stop_replicas()
        platform.stop_services(list(self.services.values()))
        if isinstance(self.nats, EmbeddedNats) and self.nats.process is not None:
            os.kill(self.nats.process.pid, signal.SIGCONT)  # a paused server cannot stop
        self.nats.stop()
        self.postgres.stop()


def _kill(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()


@contextmanager
def fault_platform(
    say: Callable[[str], None] = print, *, keep: bool = False, cluster: bool = False
):
    """Everything up, the demo (without its people) loaded, the department client running;
    everything stopped on the way out. The directory (with every process's log) is removed
    unless `keep` or something failed. `cluster`: three NATS nodes and R3 streams."""
    workdir = Path(tempfile.mkdtemp(prefix="lianxin-faults-"))
    (workdir / "logs").mkdir()
    nats_servers = (
        EmbeddedNatsCluster(workdir / "nats", free_ports(3), free_ports(3), proxied=True)
        if cluster
        else EmbeddedNats(workdir / "nats", free_port())
    )
    plat = FaultPlatform(
        workdir,
        EmbeddedPostgres(workdir / "postgres" / "data", free_port()),
        nats_servers,
        {service: free_port() for service in platform.SERVICES},
    )
    replicas = os.environ.get(REPLICAS)
    window = os.environ.get(WINDOW)
    if cluster:  # read by the bootstrap's stream declaration (and the services it starts)
        os.environ[REPLICAS] = "3"
    try:
        yield from _started(plat, say)
    except BaseException:
        keep = True
        raise
    finally:
        _restore(REPLICAS, replicas)
        _restore(WINDOW, window)
        plat.stop()
        if keep:
            say(f"Logs kept in {workdir}/logs/")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _started(plat: FaultPlatform, say: Callable[[str], None]) -> Iterator[FaultPlatform]:
    say(f"Starting a platform of its own in {plat.workdir}/")
    plat.postgres.start()
    plat.nats.start()
    asyncio.run(jetstream_ready(plat.nats.url))
    patiently(lambda: platform.bootstrap(plat.postgres.url(), plat.nats.url))
    for service in platform.SERVICES:
        plat.services[service] = plat._spawn_service(service, plat.ports)
    platform.wait_ready(list(plat.services.values()))
    say("Loading the demo alliance (without its people)")
    load_demo(plat.url("organisation"), platform.PLATFORM_SECRET, people=False)
    _wait_until_incidents_knows_the_demo(plat.url("incidents"), plat.token())
    plat.start_department()
    yield plat


REPLICAS = "LIANXIN_STREAM_REPLICAS"
WINDOW = "LIANXIN_DUPLICATE_WINDOW"  # read by the stream declaration and the relays


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
