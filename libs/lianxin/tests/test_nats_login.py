"""The NATS login travels as connect options, never inside a URL: a client reconnecting to a
node the cluster advertised (whose URL carries no login) is let in, and several servers in
`NATS_URL` are each tried."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from lianxin.messaging.connection import NatsLogin, connect, servers, with_user, without_user
from lianxin.runtime import platform
from lianxin.runtime.nats import nats_server_binary
from lianxin.runtime.processes import free_port, spawn, stop, wait_for_port
from lianxin.settings import ServiceSettings

USER, PASSWORD = "platform", "s3cret"


class Node:
    def __init__(self, workdir: Path, name: str, port: int, route: int, peer_route: int) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / f"{name}.conf"
        config.write_text(
            f"listen: 127.0.0.1:{port}\nserver_name: {name}\n"
            f"authorization {{ user: {USER}, password: {PASSWORD} }}\n"
            f"cluster {{\n  name: logins\n  listen: 127.0.0.1:{route}\n"
            f"  routes: [nats-route://127.0.0.1:{peer_route}]\n}}\n"
        )
        self.port = port
        self.process = spawn(
            [nats_server_binary(), "-c", str(config)], log_file=workdir / f"{name}.log"
        )
        wait_for_port(port, self.process, name)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    routes = free_port(), free_port()
    first = Node(tmp_path, "n1", free_port(), routes[0], routes[1])
    second = Node(tmp_path, "n2", free_port(), routes[1], routes[0])
    try:
        yield first, second
    finally:
        for node in (first, second):
            stop(node.process)


async def _reconnects_to_the_advertised_node(cluster: tuple[Node, Node], url: str, **login):
    first, second = cluster
    nc = await connect(url, "test", **login)
    try:
        # The client knows the second node only from the cluster's advertisement.
        for _ in range(100):
            if any(s.uri.port == second.port for s in nc._server_pool):
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the cluster never advertised its second node")
        stop(first.process)
        for _ in range(200):
            if nc.is_connected and nc.connected_url.port == second.port:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail(f"not reconnected to the advertised node: {nc.last_error!r}")
        await nc.publish("logins.check", b"ok")
        await nc.flush(timeout=5)
    finally:
        await nc.close()


async def test_a_login_given_as_options_is_accepted_by_the_node_the_cluster_advertised(
    cluster: tuple[Node, Node],
) -> None:
    first, _ = cluster
    await _reconnects_to_the_advertised_node(cluster, first.url, login=NatsLogin(USER, PASSWORD))


async def test_a_login_written_in_the_url_is_taken_out_and_sent_as_options(
    cluster: tuple[Node, Node],
) -> None:
    first, _ = cluster
    await _reconnects_to_the_advertised_node(cluster, with_user(first.url, USER, PASSWORD))


async def test_several_servers_in_the_url_are_each_tried(cluster: tuple[Node, Node]) -> None:
    first, second = cluster
    stop(first.process)
    nc = await connect(
        f"{first.url}, {second.url}",
        "test",
        login=NatsLogin(USER, PASSWORD),
        first_attempt_timeout=20,
    )
    try:
        assert nc.connected_url.port == second.port
    finally:
        await nc.close()


def test_servers_are_listed_without_their_login() -> None:
    url = "nats://u:p@n1:4222, nats://u:p@n2:4222"
    assert servers(url) == ["nats://n1:4222", "nats://n2:4222"]
    assert without_user(url) == "nats://n1:4222,nats://n2:4222"


def test_services_get_the_login_as_settings_not_in_their_url() -> None:
    env = platform.service_env(
        "incidents",
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "nats://127.0.0.1:4222",
        None,
        {"incidents": 8002},
        nats_login=NatsLogin(USER, PASSWORD),
    )
    assert env["NATS_URL"] == "nats://127.0.0.1:4222"
    settings = ServiceSettings(
        nats_url=env["NATS_URL"], nats_user=env["NATS_USER"], nats_password=env["NATS_PASSWORD"]
    )
    assert settings.nats_login() == NatsLogin(USER, PASSWORD)
    assert ServiceSettings(
        nats_credentials="/run/secrets/platform.creds"
    ).nats_login().options() == {"user_credentials": "/run/secrets/platform.creds"}
    assert ServiceSettings().nats_login() is None
