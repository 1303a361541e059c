"""Calls to the platform's services with the signed-in user's own token.

The console holds no data and decides no access: each service applies the user's role and scope,
so whatever the console shows a user is what the services let that user see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from lianxin.http_clients import async_client
from lianxin.settings import ServiceSettings

_client: httpx.AsyncClient | None = None


def _http() -> httpx.AsyncClient:
    # One connection pool for the process: a page may make several calls.
    global _client
    if _client is None:
        _client = async_client(timeout=10)
    return _client


async def close() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. a list's X-Total-Count

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Services:
    """The services, as one user: `await services.get("incidents", "/incidents")`."""

    def __init__(self, settings: ServiceSettings, token: str | None) -> None:
        self.settings = settings
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def get(self, service: str, path: str, **params: Any) -> Answer:
        query = {k: v for k, v in params.items() if v is not None}
        return await self._call("GET", service, path, params=query)

    async def post(self, service: str, path: str, body: Any = None) -> Answer:
        return await self._call("POST", service, path, json=body)

    async def put(self, service: str, path: str, body: Any = None) -> Answer:
        return await self._call("PUT", service, path, json=body)

    async def delete(self, service: str, path: str) -> Answer:
        return await self._call("DELETE", service, path)

    async def post_form(
        self, service: str, path: str, form: dict[str, str], headers: dict[str, str] | None = None
    ) -> Answer:
        return await self._call("POST", service, path, data=form, extra_headers=headers)

    async def post_bytes(self, service: str, path: str, content: bytes) -> Answer:
        """A body that is a file itself (a photo): the service tells its type from its bytes."""
        return await self._call("POST", service, path, content=content)

    async def get_bytes(self, service: str, path: str) -> tuple[int, bytes, str]:
        """(status, body, content type) of a binary answer (a photo), as the service sent it."""
        url = self.settings.service_url(service) + path
        try:
            response = await _http().get(url, headers=self.headers)
        except httpx.HTTPError:
            return 503, b"", ""
        return response.status_code, response.content, response.headers.get("content-type", "")

    async def _call(
        self,
        method: str,
        service: str,
        path: str,
        extra_headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Answer:
        url = self.settings.service_url(service) + path
        headers = {**self.headers, **(extra_headers or {})}
        try:
            response = await _http().request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            return Answer(503, {"title": "Service Unavailable", "detail": f"{service}: {exc}"})
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = {"detail": response.text[:500]}
        return Answer(response.status_code, body, response.headers)
