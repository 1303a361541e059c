"""The fault driver as a client of `Idempotency-Key`: a report carried out whose answer was lost
with its process is found by its description, not reported again nor given up on."""

from __future__ import annotations

import time
from collections import Counter

import httpx

from lianxin.faults.driver import LoopRecord, _one_loop
from lianxin.http_clients import async_client

LOST = {
    "type": "about:blank",
    "title": "Conflict",
    "status": 409,
    "errors": [{"field": "Idempotency-Key", "detail": "…", "type": "idempotency_answer_lost"}],
}


async def test_a_report_whose_answer_was_lost_is_found_by_its_description_and_escalated() -> None:
    record = LoopRecord(7, "故障测试 t #7: 变压器故障")
    seen: list[str] = []

    def platform(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST" and request.url.path == "/incidents":
            return httpx.Response(409, json=LOST, headers={"content-type": "application/json"})
        if request.method == "GET":
            assert request.url.params["q"] == record.description
            found = [
                {"id": "other", "description": "故障测试 t #70: 变压器故障"},
                {"id": "inc-7", "description": record.description},
            ]
            return httpx.Response(200, json=found)
        return httpx.Response(200, json={"status": "escalated"})

    errors: Counter[str] = Counter()
    async with async_client(
        base_url="http://incidents", transport=httpx.MockTransport(platform)
    ) as http:
        await _one_loop(http, record, errors, time.monotonic() + 5)

    assert record.incident_id == "inc-7"
    assert record.acknowledged_at is not None and not record.gave_up
    assert seen == ["POST /incidents", "GET /incidents", "POST /incidents/inc-7/escalation"]
    assert errors == Counter({"HTTP 409 (answer lost)": 1})
