"""The deliberation API in-process on real PostgreSQL: a bench meeting recorded step by step,
its items turned into a need, an incident (incidents' API stood in for by a fake that records
what it was asked, as whom) and a local resolution, each linked back; who may hold, record and
read; bad input a 422 naming the field, a wrong state a 409; the incident's deliberations and
the month's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID, uuid4

import httpx
import pytest

from lianxin.errors import NotFound
from lianxin.problems import Problem
from lianxin.testing.clock import earlier_this_month
from resources.entrypoints import deliberations_api

from . import test_api
from .test_api import Client, fields

# The in-process API of test_api's tests, as the fixture `api` (pytest names it by attribute).
api = test_api.as_

KNOWN_INCIDENT = uuid4()


class FakeIncidents:
    """Incidents as the caller: reports get a new id; only KNOWN_INCIDENT exists."""

    asked: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def __init__(self, base_url: str, token: str) -> None:
        self.token = token

    async def report(self, body: dict[str, Any]) -> UUID:
        if body["micro_grid_code"] == "down":
            raise Problem(503, "Service Unavailable", "incidents: down")
        self.asked.append((self.token, body))
        return uuid4()

    async def check(self, incident_id: UUID) -> None:
        if incident_id != KNOWN_INCIDENT:
            raise NotFound("incident", incident_id)


@pytest.fixture(autouse=True)
def fake_incidents(monkeypatch: pytest.MonkeyPatch) -> type[FakeIncidents]:
    FakeIncidents.asked = []
    monkeypatch.setattr(deliberations_api, "IncidentsApi", FakeIncidents)
    return FakeIncidents


def held(**extra: Any) -> dict[str, Any]:
    return {
        "community_code": "taipingjie",
        "kind": "bench_meeting",
        "grid_node_code": "g1-b05",
        "topic": "楼道自行车堵塞",
        "held_at": earlier_this_month(timedelta(hours=2)).isoformat(),
        **extra,
    }


async def recorded(client: httpx.AsyncClient, **extra: Any) -> str:
    made = await client.post("/deliberations", json=held(**extra))
    assert made.status_code == 201, made.text
    d = made.json()["id"]
    steps = [
        ("PUT", "agenda", {"agenda": ["自行车停放"]}),
        ("PUT", "attendance", {"households": [f"5-{n}01" for n in range(1, 13)]}),
        ("POST", "items", {"text": "院内建自行车棚"}),
        ("POST", "items", {"text": "消防检查楼道"}),
        ("POST", "items", {"text": "楼栋轮值清理楼道"}),
        ("PUT", "minutes", {"minutes": "十二户到会，议定三项。"}),
    ]
    for method, path, body in steps:
        answer = await client.request(method, f"/deliberations/{d}/{path}", json=body)
        assert answer.status_code == 200, answer.text
    return d


async def test_a_bench_meetings_items_become_a_need_an_incident_and_a_local_resolution(
    api: Client,
) -> None:
    grid = api("grid")
    d = await recorded(grid)
    early = await grid.post(f"/deliberations/{d}/items/3/resolution", json={"settlement": "轮值"})
    assert early.status_code == 409
    assert (await grid.post(f"/deliberations/{d}/close")).json()["status"] == "closed"

    need_body = {"category": "facilities", "affected": "5栋住户", "affected_count": 36}
    made = await grid.post(f"/deliberations/{d}/items/1/need", json=need_body)
    assert made.status_code == 201, made.text
    need = made.json()["need"]
    assert need["origin_ref"] == f"deliberation:{d}#1" and need["title"] == "院内建自行车棚"
    assert (await grid.get(f"/needs/{need['id']}")).json()["origin_ref"] == f"deliberation:{d}#1"

    report = {"micro_grid_code": "g1", "category": "fire_safety", "urgency": "utilities"}
    turned = await grid.post(f"/deliberations/{d}/items/2/incident", json=report)
    assert turned.status_code == 201, turned.text
    [(token, body)] = FakeIncidents.asked
    assert grid.headers["Authorization"] == f"Bearer {token}"
    assert body["affected_households"] == 12 and "消防检查楼道" in body["description"]
    incident_id = turned.json()["items"][1]["incident_id"]

    settled = {"settlement": "每周一户轮值清理"}
    resolved = await grid.post(f"/deliberations/{d}/items/3/resolution", json=settled)
    assert [i["outcome"] for i in resolved.json()["items"]] == [
        "need",
        "incident",
        "resolved_locally",
    ]
    again = await grid.post(f"/deliberations/{d}/items/1/resolution", json=settled)
    assert again.status_code == 409

    went = (await api("liaison").get(f"/incidents/{incident_id}/deliberations")).json()
    assert [x["id"] for x in went] == [d]
    assert (await api("other").get(f"/incidents/{incident_id}/deliberations")).json() == []
    month = datetime.now(UTC).astimezone(deliberations_api.deliberations.CST).strftime("%Y-%m")
    figures = (
        await api("coordinator").get("/deliberations/figures", params={"month": month})
    ).json()
    assert figures == [
        {
            "community_code": "taipingjie",
            "month": month,
            "held": 1,
            "need": 1,
            "incident": 1,
            "resolved_locally": 1,
            "pending": 0,
        }
    ]


async def test_who_may_hold_record_and_read(api: Client) -> None:
    council = await api("grid").post("/deliberations", json=held(kind="residents_council"))
    assert council.status_code == 403
    d = await recorded(api("grid"))
    assert (await api("other_grid").post(f"/deliberations/{d}/close")).status_code == 403
    assert (await api("liaison").post(f"/deliberations/{d}/close")).status_code == 403
    assert (await api("other").post(f"/deliberations/{d}/close")).status_code == 404
    assert (await api("other").get(f"/deliberations/{d}")).status_code == 404
    assert (await api("department").get(f"/deliberations/{d}")).status_code == 403
    assert (await api("liaison").get(f"/deliberations/{d}")).json()["topic"] == "楼道自行车堵塞"
    assert (await api("coordinator").post(f"/deliberations/{d}/close")).status_code == 200
    listed = await api("coordinator").get("/deliberations", params={"community_code": "cs"})
    assert listed.status_code == 404
    stranger = await api("other").post("/deliberations", json=held())
    assert stranger.status_code == 404


async def test_bad_input_names_the_field(api: Client) -> None:
    c = api("coordinator")
    assert fields(await c.post("/deliberations", json=held(kind="tea"))) == ["kind"]
    assert fields(await c.post("/deliberations", json=held(kind="mediation"))) == ["level"]
    assert fields(await c.post("/deliberations", json=held(topic=""))) == ["topic"]
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert fields(await c.post("/deliberations", json=held(held_at=future))) == ["held_at"]
    unknown = await c.post("/deliberations", json=held(incident_ids=[str(uuid4())]))
    assert unknown.status_code == 404
    mediation = held(kind="mediation", level="community", incident_ids=[str(KNOWN_INCIDENT)])
    assert (await c.post("/deliberations", json=mediation)).status_code == 201
    d = await recorded(c)
    assert fields(await c.put(f"/deliberations/{d}/attendance", json={})) == ["households"]
    assert fields(await c.post(f"/deliberations/{d}/items", json={"text": "a\x00"})) == ["text"]
    await c.post(f"/deliberations/{d}/close")
    no_grid = await c.post(f"/deliberations/{d}/items/2/incident", json={"category": "fire"})
    assert fields(no_grid) == ["micro_grid_code"]
    down = await c.post(
        f"/deliberations/{d}/items/2/incident",
        json={"micro_grid_code": "down", "category": "fire"},
    )
    assert down.status_code == 503
    assert fields(await c.post(f"/deliberations/{d}/items/0/need", json={})) == [
        "number",
        "category",
        "affected",
        "affected_count",
    ]
    missing = await c.post(f"/deliberations/{d}/items/9/resolution", json={"settlement": "x"})
    assert missing.status_code == 404
    bad_month = await c.get("/deliberations/figures", params={"month": "2026-13"})
    assert fields(bad_month) == ["month"]
    linked = await c.post(
        f"/deliberations/{d}/items/2/incident", json={"incident_id": str(KNOWN_INCIDENT)}
    )
    assert linked.json()["items"][1]["incident_id"] == str(KNOWN_INCIDENT)
