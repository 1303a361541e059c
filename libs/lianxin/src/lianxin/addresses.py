"""The client's address behind proxies: the direct peer, or what `X-Forwarded-For` says only as
far as the hops that added to it are trusted (`LIANXIN_TRUSTED_PROXIES`).

Anyone can send an `X-Forwarded-For` header; only a proxy we run appends the address it saw to
it. So the header is read from its right end, one hop at a time, for as long as the hop that
handed it on is a trusted proxy; the first address not trusted is the client.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import Request

Network = IPv4Network | IPv6Network


@cache
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """`"127.0.0.1, ::1, 10.0.0.0/8"` → networks (a bare address is a network of one)."""
    return tuple(
        ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()
    )


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[Network]) -> str:
    """The address of whoever sent the request, as far as trusted proxies vouch for it."""
    networks = tuple(trusted)
    address = peer or "unknown"
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    while hops and _trusted(address, networks):
        hop = hops.pop()
        try:
            address = str(ip_address(hop))
        except ValueError:
            break  # not an address: nothing left of it can be believed
    return address


def request_client(request: Request) -> str:
    """The client's address of a request to a service, by the service's trusted proxies."""
    settings = request.app.state.runtime.settings
    peer = request.client.host if request.client else None
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    return client_address(peer, forwarded, trusted_networks(settings.lianxin_trusted_proxies))
