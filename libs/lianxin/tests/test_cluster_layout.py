"""Where `lianxin up --cluster` puts things: three NATS nodes from the first's port on, routes
on 6222-6224, each service's second replica ten ports up; each overridable for tests."""

from __future__ import annotations

import nats.errors
import pytest

from lianxin.runtime.cluster import ClusterLayout, patiently, replica_of, second
from lianxin.settings import DEFAULT_PORTS


def test_by_default_the_nodes_follow_the_first_and_second_replicas_are_ten_up(monkeypatch):
    for name in ("LIANXIN_NATS_CLUSTER_PORTS", "LIANXIN_NATS_ROUTE_PORTS", "INCIDENTS_PORT_2"):
        monkeypatch.delenv(name, raising=False)
    layout = ClusterLayout.from_env(4222, dict(DEFAULT_PORTS))
    assert layout.nats_ports == [4222, 4223, 4224]
    assert layout.route_ports == [6222, 6223, 6224]
    assert layout.second_ports["console"] == 8010
    assert layout.second_ports["incidents"] == 8012


def test_the_environment_moves_them(monkeypatch):
    monkeypatch.setenv("LIANXIN_NATS_CLUSTER_PORTS", "5001, 5002,5003")
    monkeypatch.setenv("LIANXIN_NATS_ROUTE_PORTS", "6001,6002,6003")
    monkeypatch.setenv("INCIDENTS_PORT_2", "9912")
    layout = ClusterLayout.from_env(4222, {"incidents": 9002, "console": 9000})
    assert layout.nats_ports == [5001, 5002, 5003]
    assert layout.route_ports == [6001, 6002, 6003]
    assert layout.second_ports == {"incidents": 9912, "console": 9010}
    assert set(layout.ports()) == {5001, 5002, 5003, 6001, 6002, 6003, 9912, 9010}


def test_three_nodes_or_nothing(monkeypatch):
    monkeypatch.setenv("LIANXIN_NATS_ROUTE_PORTS", "6001,6002")
    with pytest.raises(ValueError, match="LIANXIN_NATS_ROUTE_PORTS must name 3 ports"):
        ClusterLayout.from_env(4222, {})


def test_a_second_replica_is_named_after_its_service():
    assert second("incidents") == "incidents-2"
    assert replica_of("incidents-2") == ("incidents", True)
    assert replica_of("incidents") == ("incidents", False)


def test_a_bootstrap_that_jetstream_timed_out_is_run_again_and_other_errors_are_not():
    calls = []

    def slow_then_done() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise nats.errors.TimeoutError
        return "declared"

    assert patiently(slow_then_done) == "declared"
    assert len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise ValueError("not a timeout")

    calls.clear()
    with pytest.raises(ValueError):
        patiently(broken)
    assert len(calls) == 1
