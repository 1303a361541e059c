"""One service's API as a demo loader calls it: JSON in and out, at most `CONCURRENCY` requests
at a time, an error status stops the load (the demo is data the platform must take), and a
count of what this run created, which the loader returns."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

CONCURRENCY = 8


class Calls:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.created: dict[str, int] = {}
        self._limit = asyncio.Semaphore(CONCURRENCY)

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n

    async def __call__(
        self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = (), **params: Any
    ) -> Any:
        """The answer's JSON; None for a status in `ok` (a refusal the loader expects, such as
        a 409 for what a former run made)."""
        async with self._limit:
            response = await self.http.request(method, path, json=body, params=params or None)
        if response.status_code in ok:
            return None
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()
