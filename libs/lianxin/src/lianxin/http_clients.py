"""HTTP clients that share one TLS context: use these, not httpx's own constructors.

httpx builds a new TLS context for every client it is not handed one, loading the whole CA
bundle each time: about 50 ms of CPU, even for a plain-http call to a neighbour on localhost.
A service that opened a client per webhook delivery, a readiness poll every 0.2 s and the test
suite's thousands of clients spent more CPU there than on the calls themselves. One context,
built once as httpx would build it (`SSL_CERT_FILE` and `SSL_CERT_DIR` honoured), serves them
all. A unit test (`test_every_http_client_shares_one_tls_context`) keeps httpx's constructors
out of the rest of the code.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def sync_client(**options: Any) -> httpx.Client:
    return httpx.Client(verify=tls_context(), **options)


def async_client(**options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=tls_context(), **options)


def get(url: str, **options: Any) -> httpx.Response:
    """One GET, as `httpx.get` does it (a client for the call), on the shared context."""
    with sync_client() as client:
        return client.get(url, **options)


def post(url: str, **options: Any) -> httpx.Response:
    """One POST, as `httpx.post` does it, on the shared context."""
    with sync_client() as client:
        return client.post(url, **options)
