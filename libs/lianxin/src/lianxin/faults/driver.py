"""The load driver: whistle loops offered at a fixed rate, as grid reporters would, through a fault.

A loop reports an incident on a demo micro-grid and escalates it to the department; the
department client (`lianxin dept-sim`) signs for it and resolves it on its own. A loop is
*acknowledged* once the platform answered the escalation with 2xx: from then on the platform owes
it a resolution, and the checks hold it to that. A request that fails (refused, timed out,
5xx) is retried with backoff for `give_up_after` seconds, each failure counted by kind. Each POST
carries an `Idempotency-Key`, the same on every retry: a report retried after its answer was
lost must not create a second incident (the checks find one by the loop's description). A 409
with `Retry-After` says the key is claimed by a try still running, or by one that died with its
process (taken over once its lease, 30 s, lapses): retried like a failure, within the budget. A
409 `idempotency_answer_lost` says a try was carried out and its process died before storing the
answer: the loop finds its incident by its description, as a reporter would look it up.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

from lianxin.faults.control import DEPARTMENT
from lianxin.http_clients import async_client

MICRO_GRID = "tpj-g01-m01"


@dataclass
class LoopRecord:
    n: int
    description: str
    incident_id: str | None = None
    # time.monotonic() when the escalation was answered 2xx; None: never acknowledged
    acknowledged_at: float | None = None
    gave_up: str = ""  # why the client stopped trying, if it did


@dataclass
class Load:
    tag: str
    loops: list[LoopRecord]
    errors: Counter[str] = field(default_factory=Counter)

    def acknowledged(self) -> list[LoopRecord]:
        return [loop for loop in self.loops if loop.acknowledged_at is not None]


class GiveUp(Exception):
    pass


def description(tag: str, n: int) -> str:
    return f"故障测试 {tag} #{n}: 变压器故障"


async def drive(
    urls: list[str], token: str, tag: str, *, loops: int, rate: float, give_up_after: float = 90
) -> Load:
    """`loops` loops, the n-th started at n / `rate` seconds; loop n goes to `urls[n % len]` (two
    replicas share the load)."""
    load = Load(tag, [LoopRecord(n, description(tag, n)) for n in range(loops)])
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=32)
    clients = [
        async_client(base_url=url, headers=headers, timeout=10, limits=limits) for url in urls
    ]
    try:
        started = time.monotonic()

        async def loop_at(record: LoopRecord) -> None:
            await asyncio.sleep(max(0.0, started + record.n / rate - time.monotonic()))
            http = clients[record.n % len(clients)]
            try:
                await _one_loop(http, record, load.errors, time.monotonic() + give_up_after)
            except GiveUp as exc:
                record.gave_up = str(exc)

        await asyncio.gather(*(loop_at(record) for record in load.loops))
    finally:
        for http in clients:
            await http.aclose()
    return load


async def _one_loop(
    http: httpx.AsyncClient, record: LoopRecord, errors: Counter[str], deadline: float
) -> None:
    report = {
        "micro_grid_code": MICRO_GRID,
        "category": "power_supply",
        "urgency": "emergency",
        "description": record.description,
        "affected_households": 10,
        "reporter": "lianxin-faults",
    }
    created = await _until_answered(
        http, "POST", "/incidents", report, errors, deadline, key=str(uuid.uuid4())
    )
    if _answer_lost(created):
        record.incident_id = await _find(http, record.description, errors, deadline)
    else:
        record.incident_id = created.json()["id"]
    path = f"/incidents/{record.incident_id}/escalation"
    body = {"department_codes": [DEPARTMENT]}
    answer = await _until_answered(
        http, "POST", path, body, errors, deadline, conflict_ok=True, key=str(uuid.uuid4())
    )
    if answer.status_code == 409:  # an earlier try went through, its answer was lost
        current = await _until_answered(
            http, "GET", f"/incidents/{record.incident_id}", None, errors, deadline
        )
        if current.json()["status"] not in ("escalated", "resolved"):
            raise GiveUp(f"escalation refused: {answer.text}")
    record.acknowledged_at = time.monotonic()


async def _until_answered(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    body: dict | None,
    errors: Counter[str],
    deadline: float,
    *,
    conflict_ok: bool = False,
    key: str = "",
) -> httpx.Response:
    """The first answer that is not a failure of the platform; failures retried with backoff,
    with the same `Idempotency-Key`."""
    headers = {"Idempotency-Key": key} if key else {}
    pause = 0.2
    while True:
        try:
            answer = await http.request(method, path, json=body, headers=headers)
            if answer.status_code == 409 and "Retry-After" in answer.headers:
                # The key's claim is held by a try that is still running or died with the
                # process: retried until it answers or its lease lapses and this one takes over.
                errors["HTTP 409 (key held)"] += 1
                if time.monotonic() + pause > deadline:
                    raise GiveUp(f"{method} {path}: Idempotency-Key still held")
                await asyncio.sleep(max(pause, _retry_after(answer)))
                continue
            if _answer_lost(answer):
                errors["HTTP 409 (answer lost)"] += 1
                return answer
            if answer.status_code < 400 or (conflict_ok and answer.status_code == 409):
                if answer.status_code == 409:
                    errors["HTTP 409"] += 1
                return answer
            kind = f"HTTP {answer.status_code}"
            if answer.status_code < 500 and answer.status_code != 429:
                errors[kind] += 1
                raise GiveUp(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
        except httpx.TimeoutException:
            kind = "timeout"
        except httpx.ConnectError:
            kind = "refused"
        except httpx.TransportError as exc:  # the connection dropped mid-request
            kind = type(exc).__name__
        errors[kind] += 1
        if time.monotonic() + pause > deadline:
            raise GiveUp(f"{method} {path}: still failing ({kind})")
        await asyncio.sleep(pause)
        pause = min(pause * 2, 2.0)


def _answer_lost(answer: httpx.Response) -> bool:
    """Carried out once, the answer lost with its process (`lianxin.idempotency`)."""
    if answer.status_code != 409 or "json" not in answer.headers.get("content-type", ""):
        return False
    errors = answer.json().get("errors") or []
    return any(error.get("type") == "idempotency_answer_lost" for error in errors)


async def _find(http: httpx.AsyncClient, text: str, errors: Counter[str], deadline: float) -> str:
    """The id of the incident described as `text`, from the incidents' search."""
    query = urlencode({"q": text})
    found = await _until_answered(http, "GET", f"/incidents?{query}", None, errors, deadline)
    ids = [i["id"] for i in found.json() if i["description"] == text]
    if len(ids) != 1:
        raise GiveUp(f"reported, its answer lost, and {len(ids)} incidents described so")
    return ids[0]


def _retry_after(answer: httpx.Response) -> float:
    try:
        return float(answer.headers["Retry-After"])
    except ValueError:
        return 1.0
