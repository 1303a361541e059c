"""Where a webhook may point: https, and only at public addresses.

A department's webhook URL is a request the platform makes on its behalf, from inside the
platform's network; one aimed at loopback, a link-local address (the cloud metadata service at
169.254.169.254) or a private range would let whoever registers it reach what only the platform
should (SSRF). So outside development a URL must be https, and every address its host resolves to
must be global. The check runs at registration and again at each delivery, on the addresses the
delivery then connects to (DNS may answer differently later: rebinding).

`LIANXIN_WEBHOOKS_ALLOW_PRIVATE` (development and tests, where receivers listen on 127.0.0.1)
lifts both rules.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """Why a webhook URL may not be called."""


def _host_port(url: str, allow_private: bool) -> tuple[str, int]:
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UnsafeTarget("a webhook URL must be https")
    if not parts.hostname:
        raise UnsafeTarget("a webhook URL names a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as bad:
        raise UnsafeTarget(f"bad port: {bad}") from None
    return parts.hostname, port


def refusal(address: IpAddress) -> str | None:
    """Why the platform may not call this address, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return refusal(address.ipv4_mapped)
    for broken, why in (
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_private, "private"),
        (address.is_multicast, "multicast"),
        (address.is_unspecified or address.is_reserved, "reserved"),
    ):
        if broken:
            return f"{address} is a {why} address"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


def _checked(host: str, found: list[str]) -> list[str]:
    if not found:
        raise UnsafeTarget(f"{host} does not resolve")
    for text in found:
        why = refusal(ipaddress.ip_address(text.split("%", 1)[0]))
        if why:
            raise UnsafeTarget(f"{host}: {why}")
    return found


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, literal addresses as themselves."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as failed:
        raise UnsafeTarget(f"{host} does not resolve: {failed}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in answers))


async def safe_addresses(url: str, *, allow_private: bool) -> list[str]:
    """The addresses a call to `url` may connect to (every one checked), or UnsafeTarget. With
    `allow_private` nothing is resolved: the URL is called as it is ([] says so)."""
    host, port = _host_port(url, allow_private)
    if allow_private:
        return []
    return _checked(host, await resolve(host, port))
