"""The client's address: `X-Forwarded-For` is believed only as far as trusted proxies added it."""

from __future__ import annotations

from lianxin.addresses import client_address, trusted_networks

LOOPBACK = trusted_networks("127.0.0.1,::1")
BALANCER = trusted_networks("127.0.0.1, 10.0.0.0/8")


def test_without_a_trusted_peer_the_header_is_ignored() -> None:
    assert client_address("203.0.113.9", "198.51.100.1", LOOPBACK) == "203.0.113.9"
    assert client_address("203.0.113.9", None, LOOPBACK) == "203.0.113.9"
    assert client_address("10.1.2.3", "198.51.100.1", trusted_networks("")) == "10.1.2.3"


def test_a_trusted_peer_vouches_for_the_hop_it_appended() -> None:
    assert client_address("127.0.0.1", "198.51.100.1", LOOPBACK) == "198.51.100.1"
    assert client_address("::1", "2001:db8::7", LOOPBACK) == "2001:db8::7"


def test_what_the_client_wrote_itself_left_of_the_proxies_is_not_believed() -> None:
    # The client sent "X-Forwarded-For: 1.1.1.1"; the balancer appended the address it saw,
    # the console (loopback) the balancer's.
    forwarded = "1.1.1.1, 198.51.100.1, 10.0.0.5"
    assert client_address("127.0.0.1", forwarded, BALANCER) == "198.51.100.1"
    assert client_address("127.0.0.1", forwarded, LOOPBACK) == "10.0.0.5"


def test_a_hop_that_is_no_address_ends_the_walk() -> None:
    assert client_address("127.0.0.1", "198.51.100.1, not-an-ip", LOOPBACK) == "127.0.0.1"
    assert client_address(None, None, LOOPBACK) == "unknown"
