"""Incidents over its HTTP API, as the caller: an agreed item of a deliberation reported as an
incident, an incident a deliberation talks through looked up.

Why HTTP with the caller's token rather than an event incidents consumes (DESIGN.md: a service
learns about the world from events, or, for a user's request, from another service's HTTP API):
turning an agreed item into an incident is a person's request, and incidents must judge it as
that person's report — their role, their grid, its checks on the input — and answer with the
incident's id at once, so the item links to it. An event would report in nobody's name and leave
the item without its link until a reply came back.

What incidents refuses is passed on as it refused it (422 naming its field, 403, 404); when
incidents cannot be reached the caller gets 503 and nothing is recorded here.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

import httpx

from lianxin.errors import Forbidden, NotFound
from lianxin.http_clients import async_client
from lianxin.problems import Problem


class Incidents(Protocol):
    async def report(self, body: dict[str, Any]) -> UUID: ...

    async def check(self, incident_id: UUID) -> None: ...


class IncidentsApi:
    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url, self.token, self.timeout = base_url, token, timeout

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            async with async_client(base_url=self.base_url, timeout=self.timeout) as http:
                answer = await http.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise Problem(503, "Service Unavailable", f"incidents: {error}") from error
        if answer.status_code < 300:
            return answer.json()
        problem = _json(answer)
        detail = str(problem.get("detail", "")) or f"incidents answered {answer.status_code}"
        if answer.status_code == 404:
            raise NotFound("incident", path.rsplit("/", 1)[-1])
        if answer.status_code == 403:
            raise Forbidden(detail)
        if answer.status_code in (409, 422):
            title = "Conflict" if answer.status_code == 409 else "Unprocessable Content"
            raise Problem(answer.status_code, title, detail, errors=problem.get("errors"))
        raise Problem(503, "Service Unavailable", f"incidents: {detail}")

    async def report(self, body: dict[str, Any]) -> UUID:
        return UUID((await self._call("POST", "/incidents", body))["id"])

    async def check(self, incident_id: UUID) -> None:
        """The incident exists and the caller sees it (else NotFound)."""
        await self._call("GET", f"/incidents/{incident_id}")


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
