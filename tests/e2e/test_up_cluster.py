"""`lianxin up --cluster` as an operator runs it (a subprocess on free ports, its own data
directory): three NATS nodes with R3 streams, two replicas of each service answering; kill -9 of
the node leading REPORTS, and a whistle still goes through, reported on one incidents replica
and read on the other."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from lianxin import http_clients
from lianxin.auth import fetch_token
from lianxin.demo import load_demo
from lianxin.messaging.connection import NatsLogin, connect
from lianxin.messaging.streams import STREAMS
from lianxin.runtime.cluster import second
from lianxin.runtime.nats import free_ports, stream_leaders
from lianxin.runtime.platform import PLATFORM_SECRET, SERVICES
from tests.conftest import eventually
from tests.e2e.data import POWER, TRANSFORMER, escalation
from tests.e2e.test_up_keeps_running import (
    START_BOUND,
    Up,
    _created,
    lianxin_up,
    started,
    stopped,
    workdir,  # noqa: F401 - the fixture: a session dir PostgreSQL's own user may enter
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]
# Three NATS nodes and ten service processes on a shared 2-core host: minutes when it is busy.
CLUSTER_START_BOUND = 1500.0


@contextmanager
def lianxin_up_cluster(data_dir: Path) -> Iterator[tuple[Up, list[int]]]:
    """`lianxin up --cluster --no-demo` on free ports: three NATS nodes, ten services."""
    names = ["postgres", *SERVICES, *(second(s) for s in SERVICES)]
    *taken, n0, n1, n2, r0, r1, r2 = free_ports(len(names) + 6)
    ports = dict(zip(names, taken, strict=True)) | {"nats": n0, "nats-1": n1, "nats-2": n2}
    ports |= {"route-0": r0, "route-1": r1, "route-2": r2}
    cluster = {
        "LIANXIN_NATS_CLUSTER_PORTS": f"{n0},{n1},{n2}",
        "LIANXIN_NATS_ROUTE_PORTS": f"{r0},{r1},{r2}",
        **{f"{s.upper()}_PORT_2": str(ports[second(s)]) for s in SERVICES},
    }
    with lianxin_up(data_dir, "--cluster", "--no-demo", ports=ports, extra_env=cluster) as up:
        yield up, [n0, n1, n2]


def _answers(url: str) -> bool:
    try:
        return http_clients.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _node_pid(up: Up, node: int) -> int:
    for child in up.descendants():
        if f"node{node}/nats.conf" in " ".join(child.cmdline()):
            return child.pid
    raise AssertionError(f"no nats-server of node{node} under lianxin up:\n{up.said()}")


async def _replicas(url: str, login: dict[str, str]) -> dict[str, tuple[int, int]]:
    """Each stream's configured replicas, and how many copies its cluster reports."""
    nc = await connect(url, "test-up-cluster", login=NatsLogin(**login))
    try:
        js = nc.jetstream()
        found = {}
        for stream in STREAMS:
            info = await js.stream_info(stream.name)
            found[stream.name] = (info.config.num_replicas, 1 + len(info.cluster.replicas or []))
        return found
    finally:
        await nc.close()


def test_up_cluster_runs_r3_streams_two_replicas_each_and_a_whistle_survives_a_node(
    workdir: Path,  # noqa: F811 - test_up_keeps_running's fixture, imported above
) -> None:
    with lianxin_up_cluster(workdir / "data") as (up, nats_ports):
        started(up, CLUSTER_START_BOUND)
        for service in SERVICES:
            assert _answers(up.url(service)), service
            assert _answers(up.url(second(service))), second(service)

        cluster_url = ",".join(f"nats://127.0.0.1:{port}" for port in nats_ports)
        platform_login = dict(
            line.split("=", 1)
            for line in up.lianxin("nats-credentials", "--platform", "--env").stdout.split()
            if line.startswith("LIANXIN_NATS_")
        )
        login = {
            "user": platform_login["LIANXIN_NATS_USER"],
            "password": platform_login["LIANXIN_NATS_PASSWORD"],
        }
        replicas = asyncio.run(_replicas(cluster_url, login))
        assert replicas == {stream.name: (3, 3) for stream in STREAMS}

        load_demo(up.url("organisation"), PLATFORM_SECRET, people=False)
        leader = asyncio.run(stream_leaders(cluster_url, ["REPORTS"], NatsLogin(**login)))[
            "REPORTS"
        ]
        os.kill(_node_pid(up, int(leader.rsplit("-", 1)[1])), signal.SIGKILL)

        token = fetch_token(up.url("organisation"), "platform", PLATFORM_SECRET, client=True)
        auth = {"Authorization": f"Bearer {token}"}
        with (
            http_clients.sync_client(
                base_url=up.url(second("incidents")), timeout=10, headers=auth
            ) as two,
            http_clients.sync_client(base_url=up.url("incidents"), timeout=10, headers=auth) as one,
        ):
            # Once incidents has read the demo's micro-grids and departments from ORG.
            reported = eventually(lambda: _created(two, "/incidents", TRANSFORMER), START_BOUND, 1)
            escalation_url = f"/incidents/{reported['id']}/escalation"
            eventually(lambda: _created(two, escalation_url, escalation()), START_BOUND, 1)
            # The second replica's spans sit beside the first's, where the trace view reads.
            spans = workdir / "data" / "spans" / f"{second('incidents')}.jsonl"
            eventually(lambda: spans.exists() and reported["id"] in spans.read_text(), 30, 1)
            # The department, as the platform's NATS user (its own user is not what this is
            # about), given every node: the one it would find first may be the one killed.
            up.lianxin(
                "dept-sim",
                *("-d", POWER, "--limit", "1", "--resolve-after", "0.1"),
                env={**platform_login, "NATS_URL": cluster_url},
            )
            incident_url = f"/incidents/{reported['id']}"
            eventually(lambda: one.get(incident_url).json()["status"] == "resolved", START_BOUND, 1)
        assert up.process.poll() is None, up.said()
        stopped(up, signal.SIGTERM)
