"""`lianxin up --cluster`: the platform as a city runs it, on one machine — three NATS nodes on
loopback (routes, JetStream on each, R3 streams) and two replicas of each service.

Where things listen (each from the environment, for tests and a second platform beside the
first): the NATS nodes on `LIANXIN_NATS_PORT` and the two ports after it
(`LIANXIN_NATS_CLUSTER_PORTS=a,b,c`), their routes on 6222–6224 (`LIANXIN_NATS_ROUTE_PORTS`);
a service's first replica on its usual port, its second on that port + 10 (`<SERVICE>_PORT_2`:
console 8010, organisation 8011, incidents 8012, resources 8013, volunteers 8014).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import nats.errors

from lianxin.runtime.nats import EmbeddedNatsCluster

T = TypeVar("T")
log = logging.getLogger(__name__)

NODES = 3
SECOND = "-2"  # the second replica's name: incidents-2
SECOND_PORT_OFFSET = 10
STREAM_REPLICAS = "LIANXIN_STREAM_REPLICAS"


def _ports(name: str, default: list[int]) -> list[int]:
    given = os.environ.get(name, "")
    ports = [int(port) for port in given.split(",") if port.strip()] or default
    if len(ports) != NODES:
        raise ValueError(f"{name} must name {NODES} ports, comma-separated: {given!r}")
    return ports


@dataclass(frozen=True)
class ClusterLayout:
    """The ports of a platform on a cluster."""

    nats_ports: list[int]
    route_ports: list[int]
    second_ports: dict[str, int]  # service -> its second replica's port

    @classmethod
    def from_env(cls, nats_port: int, ports: dict[str, int]) -> ClusterLayout:
        return cls(
            nats_ports=_ports("LIANXIN_NATS_CLUSTER_PORTS", [nats_port + i for i in range(NODES)]),
            route_ports=_ports("LIANXIN_NATS_ROUTE_PORTS", [6222 + i for i in range(NODES)]),
            second_ports={
                service: int(os.environ.get(f"{service.upper()}_PORT_2", port + SECOND_PORT_OFFSET))
                for service, port in ports.items()
            },
        )

    def ports(self) -> list[int]:
        """Every port this layout adds to a single-node platform's, the first NATS node's too."""
        return [*self.nats_ports, *self.route_ports, *self.second_ports.values()]

    def nats(self, data_dir: Path, accounts: Path) -> EmbeddedNatsCluster:
        """The three nodes, each with the users of `accounts`, their stores under `data_dir`."""
        return EmbeddedNatsCluster(data_dir, self.nats_ports, self.route_ports, accounts=accounts)


def second(service: str) -> str:
    return f"{service}{SECOND}"


def replica_of(name: str) -> tuple[str, bool]:
    """'incidents-2' -> ('incidents', True); 'incidents' -> ('incidents', False)."""
    if name.endswith(SECOND):
        return name.removesuffix(SECOND), True
    return name, False


def declare_replicated_streams() -> None:
    """Streams with a copy on every node: read by the bootstrap's declaration and inherited by
    the services (they declare consumers with it)."""
    os.environ[STREAM_REPLICAS] = str(NODES)


def patiently(step: Callable[[], T], attempts: int = 6) -> T:
    """`step` (the bootstrap: idempotent) again when JetStream timed out. Declaring an R3 stream
    forms a Raft group on three nodes, which on a machine busy enough takes longer than a
    request's 5 s; the declaration then finds what the last attempt got done."""
    for attempt in range(1, attempts + 1):
        try:
            return step()
        except nats.errors.TimeoutError:
            if attempt == attempts:
                raise
            log.warning("JetStream timed out (attempt %d of %d); again", attempt, attempts)
    raise AssertionError("unreachable")
