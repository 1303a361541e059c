"""The route proxies that cut a NATS node off (no iptables here), on plain loopback sockets: bytes
go through both ways; a cut closes what it carries and refuses what comes; healing lets
connections through again. And the proxied cluster's configs: every route through a proxy."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lianxin.runtime.cluster_proxy import ProxyLoop, RouteProxy
from lianxin.runtime.nats import EmbeddedNatsCluster, free_ports

# Sockets on loopback, no database or NATS: integration, not unit (the plugin's rule).
pytestmark = pytest.mark.integration


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(1024):
        writer.write(data)
        await writer.drain()
    writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[RouteProxy]:
    echo = await asyncio.start_server(_echo, "127.0.0.1", 0)
    listen, _ = free_ports(2)
    route = RouteProxy(listen, echo.sockets[0].getsockname()[1])
    await route.start()
    yield route
    await route.close()
    echo.close()
    await echo.wait_closed()


async def _roundtrip(port: int, payload: bytes = b"PING\r\n") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.read(1024), 5)
    finally:
        writer.close()


async def _closed(reader: asyncio.StreamReader) -> bool:
    """The connection ends: EOF or reset, not an answer."""
    try:
        return await asyncio.wait_for(reader.read(1024), 5) == b""
    except ConnectionError:
        return True


async def test_bytes_go_through_both_ways(proxy: RouteProxy) -> None:
    assert await _roundtrip(proxy.listen_port, b"hello") == b"hello"


async def test_a_cut_closes_the_open_connections_and_refuses_new_ones(proxy: RouteProxy) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.listen_port)
    writer.write(b"a")
    await writer.drain()
    assert await reader.read(1) == b"a"
    assert proxy.connections == 1

    proxy.cut_off()

    assert await _closed(reader)
    assert proxy.connections == 0
    again, _ = await asyncio.open_connection("127.0.0.1", proxy.listen_port)
    assert await _closed(again)
    assert proxy.refused == 1


async def test_healed_it_carries_connections_again(proxy: RouteProxy) -> None:
    proxy.cut_off()
    proxy.heal()
    assert await _roundtrip(proxy.listen_port, b"back") == b"back"


async def test_with_nothing_behind_it_a_connection_is_closed() -> None:
    listen, nobody = free_ports(2)
    route = RouteProxy(listen, nobody)
    await route.start()
    try:
        reader, _ = await asyncio.open_connection("127.0.0.1", listen)
        assert await _closed(reader)
    finally:
        await route.close()


def test_a_proxy_loop_in_a_thread_serves_synchronous_callers() -> None:
    async def serve() -> tuple[asyncio.Server, int]:
        server = await asyncio.start_server(_echo, "127.0.0.1", 0)
        return server, server.sockets[0].getsockname()[1]

    loop = ProxyLoop()
    try:
        echo, echo_port = loop.call(serve())
        [listen] = free_ports(1)
        route = RouteProxy(listen, echo_port)
        loop.call(route.start())
        with socket.create_connection(("127.0.0.1", listen), timeout=5) as conn:
            conn.sendall(b"x")
            assert conn.recv(1) == b"x"
            loop.do(route.cut_off)
            assert conn.recv(1) == b""  # closed by the cut
        loop.call(route.close())
        echo.close()
    finally:
        loop.close()


def test_a_proxied_cluster_routes_every_node_through_proxies_and_advertises_no_way_round(
    tmp_path: Path,
) -> None:
    ports, route_ports = free_ports(3), free_ports(3)
    cluster = EmbeddedNatsCluster(tmp_path, ports, route_ports, proxied=True)
    try:
        assert len(cluster.proxies) == 6  # one per direction of each pair
        for i, node in enumerate(cluster.nodes):
            routes = re.findall(r"nats-route://127\.0\.0\.1:(\d+)", node.extra_config)
            dialled = [int(port) for port in routes]
            expected = {pair[1] for pair in cluster.proxies if pair[0] == i}
            assert {cluster.proxies[(i, b)].listen_port for b in expected} == set(dialled)
            assert not set(dialled) & set(route_ports)  # never a node's own route port
            advertised = int(re.search(r"advertise: 127\.0\.0\.1:(\d+)", node.extra_config)[1])
            with socket.socket() as probe:  # a gossiped route address leads nowhere
                assert probe.connect_ex(("127.0.0.1", advertised)) != 0
    finally:
        cluster.stop()
