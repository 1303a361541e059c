"""The e2e fixtures' promise, held to: the demo is put back between tests, so a test sees
neither the previous test's incidents nor its changes to the demo, nor its stream traffic.

The second test checks what the first left behind, so they run in this order (pytest keeps a
module's order); the first asserts that its traces are there before the second says they are gone.
"""

from __future__ import annotations

import pytest

from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from tests.conftest import Platform, eventually
from tests.e2e.data import NEED, PROPERTY, report_and_escalate

pytestmark = pytest.mark.e2e

ELSEWHERE = "http://127.0.0.1:9/elsewhere"


def _urls(department: dict) -> list[str]:
    return [channel.get("url") for channel in department["channels"]]


def test_a_test_leaves_incidents_and_a_changed_department_behind(demo_platform: Platform) -> None:
    report_and_escalate(demo_platform)
    with demo_platform.http("organisation") as org:
        changed = org.patch(
            f"/departments/{PROPERTY}", json={"channels": [{"kind": "webhook", "url": ELSEWHERE}]}
        )
        assert changed.status_code == 200, changed.text
    with demo_platform.http("incidents") as incidents:
        eventually(
            lambda: any(
                d["code"] == PROPERTY and _urls(d) == [ELSEWHERE]
                for d in incidents.get("/departments").json()
            )
        )
        assert len(incidents.get("/incidents").json()) == 1
    coordinator = demo_platform.http(
        "resources", demo_platform.token("tpj-coordinator", DEMO_PASSWORD)
    )
    recorded = coordinator.post("/needs", json=NEED)
    assert recorded.status_code == 201, recorded.text
    assert [n["title"] for n in coordinator.get("/needs").json()] == [NEED["title"]]


def test_the_next_test_finds_the_demo_as_loaded(demo_platform: Platform) -> None:
    with demo_platform.http("incidents") as incidents:
        assert incidents.get("/incidents").json() == []
        assert incidents.get("/ops/dead-letters").json() == []
        [property_company] = [
            d for d in incidents.get("/departments").json() if d["code"] == PROPERTY
        ]
        assert ELSEWHERE not in _urls(property_company)
    with demo_platform.http("organisation") as org:
        assert ELSEWHERE not in _urls(org.get(f"/departments/{PROPERTY}").json())
    for stream in ("INCIDENTS", "DISPATCH"):
        assert demo_platform.consumer(stream, _consumer(stream)).num_pending == 0
    assert demo_platform.http("resources").get("/needs").json() == []


def _consumer(stream: str) -> str:
    return {"INCIDENTS": "volunteers_incidents", "DISPATCH": "dept_power_supply"}[stream]
