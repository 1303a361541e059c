"""Residents' deliberation end to end (issue #18): story 15, one bench meeting's agreed items
becoming a need, an incident and a local resolution, each linked back, recorded through the
console; story 5, the inheritance case from the deliberation with the mediation committee to the
court's circuit hearing and the will registry, as the platform records each step."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lianxin.auth import fetch_token
from lianxin.demo import deliberations as demo
from lianxin.http_clients import async_client
from lianxin.testing.clock import earlier_this_month
from tests.conftest import Platform, eventually

pytestmark = pytest.mark.e2e

CHINA = ZoneInfo("Asia/Shanghai")

COURT_SYSTEM_SECRET = "court-system-secret"
COURT_SYSTEM = {
    "username": "court-system",
    "display_name": "宽城区人民法院审判系统",
    "role": "department_operator",
    "scope": {"department": "court"},
    "kind": "client",
    "secret": COURT_SYSTEM_SECRET,
}


def _staircase_grid(plat: Platform) -> None:
    """Building 5's micro-grid (the demo tree has none in Changshan), known to incidents."""

    async def add() -> None:
        headers = {"Authorization": f"Bearer {plat.token()}"}
        async with async_client(base_url=plat.url("organisation"), headers=headers) as org:
            await demo.ensure_staircase_grid(org)

    asyncio.run(add())
    with plat.http("incidents") as incidents:
        eventually(
            lambda: any(
                n["code"] == demo.STAIRCASE_GRID["code"]
                for n in incidents.get("/grid-nodes").json()
            )
        )


def _local_resolutions(plat: Platform) -> tuple[int, int]:
    """Changshan's (resolved_locally, deliberated) in this quarter's rates, as incidents counts."""
    with plat.http("incidents", plat.token("cs-coordinator", "lianxin-demo")) as incidents:
        found = incidents.get("/rates", params={"by": "community"}).json()["rates"]
    counts = next((r["counts"] for r in found if r["key"] == "changshan"), {})
    return counts.get("resolved_locally", 0), counts.get("deliberated", 0)


def _ids(pattern: str, page: str) -> list[str]:
    return re.findall(pattern, page)


def test_story_15_a_bench_meetings_items_become_a_need_an_incident_and_a_local_resolution(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    _staircase_grid(plat)
    console = plat.console_as("cs-coordinator")
    # Typed in China's time, as the form reads it; minutes ago, so in this month's figures.
    held_at = earlier_this_month(timedelta(minutes=5)).astimezone(CHINA).strftime("%Y-%m-%dT%H:%M")
    form = {
        "community_code": "changshan",
        "kind": "bench_meeting",
        "grid_node_code": "csh-b05",
        "topic": "",
        "held_at": held_at,
    }
    blank = console.post("/deliberations/new", data=form)
    assert blank.status_code == 422 and 'id="topic-error"' in blank.text
    made = console.post("/deliberations/new", data={**form, "topic": demo.BENCH_MEETING["topic"]})
    assert made.status_code == 303, made.text
    page_url = made.headers["location"]
    d = page_url.rsplit("/", 1)[-1]

    steps = [
        ("attendance", {"households": "\n".join(demo.BENCH_HOUSEHOLDS), "mediators": ""}),
        *[("items", {"text": text}) for text in demo.BENCH_ITEMS],
        ("minutes", {"minutes": "5栋十二户居民到会，议定三项。"}),
    ]
    for step, body in steps:
        answer = console.post(f"/deliberations/{d}/record/{step}", data=body)
        assert answer.status_code == 303, (step, answer.text)
    early = console.post(f"/deliberations/{d}/items/3/resolution", data={"settlement": "轮值"})
    assert early.status_code == 409
    assert console.post(f"/deliberations/{d}/record/close").status_code == 303

    need_form = {k: str(v) for k, v in demo.SHED_NEED.items()}
    assert console.post(f"/deliberations/{d}/items/1/need", data=need_form).status_code == 303
    no_grid = console.post(f"/deliberations/{d}/items/2/incident", data={"category": "fire"})
    assert no_grid.status_code == 422 and 'id="micro_grid_code-error"' in no_grid.text
    fire = console.post(f"/deliberations/{d}/items/2/incident", data=demo.FIRE_CHECK)
    assert fire.status_code == 303, fire.text
    settled_before = _local_resolutions(plat)
    rota = {"settlement": demo.ROTA}
    assert console.post(f"/deliberations/{d}/items/3/resolution", data=rota).status_code == 303
    again = console.post(f"/deliberations/{d}/items/1/resolution", data=rota)
    assert again.status_code == 409

    page = console.get(page_url).text
    assert _ids(r'data-outcome="([a-z_]+)"', page) == ["need", "incident", "resolved_locally"]
    assert demo.ROTA in page and "已定稿" in page
    (need_id,) = _ids(r'data-need="([0-9a-f-]+)"', page)
    (incident_id,) = _ids(r'data-incident="([0-9a-f-]+)"', page)

    # Each outcome links back to the meeting.
    coordinator = plat.token("cs-coordinator", "lianxin-demo")
    with plat.http("resources", coordinator) as resources:
        need = resources.get(f"/needs/{need_id}").json()
        assert need["origin_ref"] == f"deliberation:{d}#1" and need["title"] == demo.BENCH_ITEMS[0]
        went = resources.get(f"/incidents/{incident_id}/deliberations").json()
        assert [x["id"] for x in went] == [d]
    with plat.http("incidents", coordinator) as incidents:
        incident = incidents.get(f"/incidents/{incident_id}").json()
    assert incident["category"] == "fire_safety" and incident["community_code"] == "changshan"
    assert demo.BENCH_ITEMS[1] in incident["description"]
    assert incident["reporter"] == "长山花园社区协调员"
    section = console.get(f"/deliberations/of-incident/{incident_id}").text
    assert f'data-went-through="{d}"' in section and demo.BENCH_MEETING["topic"] in section
    incident_page = console.get(f"/incidents/{incident_id}").text
    assert f'hx-get="/deliberations/of-incident/{incident_id}"' in incident_page

    # The dashboard's figure: one deliberation held this month, and what it became.
    card = console.get("/deliberations/card").text
    row = card[card.index('data-deliberations="changshan"') :]
    figures = dict(re.findall(r'data-figure="([a-z_]+)">(\d+)<', row)[:5])
    assert figures == {
        "held": "1",
        "need": "1",
        "incident": "1",
        "resolved_locally": "1",
        "pending": "0",
    }
    assert 'hx-get="/deliberations/card"' in console.get("/").text
    listed = console.get("/deliberations").text
    assert f'data-deliberation-id="{d}"' in listed and "楼栋板凳会" in listed

    # The rota settled by the building counts in Changshan's rates as a local resolution
    # (incidents consumes the item's outcome), and the dashboard's rates card shows it.
    resolved_locally, deliberated = settled_before
    eventually(lambda: _local_resolutions(plat) == (resolved_locally + 1, deliberated + 1))
    rates_card = console.get("/communities/changshan").text
    assert f'data-count="resolved_locally">{resolved_locally + 1}<' in rates_card
    assert f'data-count="deliberated">{deliberated + 1}<' in rates_card
    assert "其中议事化解" in rates_card

    # Another community's coordinator finds nothing of it.
    stranger = plat.console_as("tpj-coordinator")
    assert stranger.get(page_url).status_code == 404
    other = stranger.post(f"/deliberations/{d}/items/2/resolution", data=rota)
    assert other.status_code == 404


def test_story_5_the_inheritance_case_from_deliberation_to_circuit_hearing_and_will_registry(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    _staircase_grid(plat)
    coordinator = plat.token("cs-coordinator", "lianxin-demo")
    resources = plat.http("resources", coordinator)
    incidents = plat.http("incidents", coordinator)

    # 1. A party information officer's report of the dispute.
    reported = incidents.post("/incidents", json=demo.INHERITANCE)
    assert reported.status_code == 201, reported.text
    incident_id = reported.json()["id"]

    # 2. The residents' deliberation with the mediation committee, about that incident.
    at = earlier_this_month(timedelta(minutes=5)).isoformat()
    mediation = {**demo.MEDIATION, "held_at": at, "incident_ids": [incident_id]}
    made = resources.post("/deliberations", json=mediation)
    assert made.status_code == 201, made.text
    d = made.json()["id"]
    mediators = ["社区人民调解委员会", "和事佬代表"]
    attendance = {"households": ["马老外甥女家", "马老外甥家"], "mediators": mediators}
    assert resources.put(f"/deliberations/{d}/attendance", json=attendance).status_code == 200
    item = {"text": demo.MEDIATION_ITEMS[0]}
    assert resources.post(f"/deliberations/{d}/items", json=item).status_code == 200
    minutes = {"minutes": "调解委员会与居民共议，商请法院依法审理。"}
    assert resources.put(f"/deliberations/{d}/minutes", json=minutes).status_code == 200
    closed = resources.post(f"/deliberations/{d}/close").json()
    assert closed["status"] == "closed" and closed["mediators"] == mediators
    linked = resources.post(
        f"/deliberations/{d}/items/1/incident", json={"incident_id": incident_id}
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["items"][0]["incident_id"] == incident_id

    # 3. The whistle to the district court.
    escalated = incidents.post(
        f"/incidents/{incident_id}/escalation", json={"department_codes": ["court"]}
    )
    assert escalated.status_code == 200, escalated.text
    (assignment,) = escalated.json()["assignments"]

    # 4. The court's circuit hearing in the community, reported back by its own system.
    with plat.http("organisation") as org:
        opened = org.post("/accounts", json=COURT_SYSTEM)
        assert opened.status_code in (201, 409), opened.text
    court_token = fetch_token(
        plat.url("organisation"), "court-system", COURT_SYSTEM_SECRET, client=True
    )
    hearing = (
        "巡回法庭在社区开庭，近100名居民旁听；房产和存款由外甥女继承，抚恤金和丧葬费由外甥继承"
    )
    with plat.http("incidents", court_token) as court:
        for step, body in [
            ("acknowledgement", {"note": "巡回法庭受理，定于社区开庭"}),
            ("resolution", {"result": hearing}),
        ]:
            answer = court.post(f"/assignments/{assignment['id']}/{step}", json=body)
            assert answer.status_code == 200, answer.text
    incident = incidents.get(f"/incidents/{incident_id}").json()
    assert incident["status"] == "resolved"
    assert any(hearing in str(line.get("detail")) for line in incident["timeline"])

    # 5. The residents' council that starts the will registry: settled by the community itself.
    council = resources.post(
        "/deliberations", json={**demo.COUNCIL, "held_at": datetime.now(UTC).isoformat()}
    )
    c = council.json()["id"]
    for method, path, body in [
        ("PUT", "attendance", {"households": ["居民代表1", "居民代表2"]}),
        ("POST", "items", {"text": "建立遗嘱库，为辖区老人登记遗嘱"}),
        ("PUT", "minutes", {"minutes": "案件审结后召集居民议事会，建立遗嘱库。"}),
        ("POST", "close", None),
    ]:
        answer = resources.request(method, f"/deliberations/{c}/{path}", json=body)
        assert answer.status_code == 200, answer.text
    registry = resources.post(
        f"/deliberations/{c}/items/1/resolution", json={"settlement": demo.WILL_REGISTRY}
    )
    assert registry.json()["items"][0]["outcome"] == "resolved_locally"

    # The incident went through the mediation; the console's incident page says so.
    went = resources.get(f"/incidents/{incident_id}/deliberations").json()
    assert [x["id"] for x in went] == [d]
    section = plat.console_as("cs-coordinator").get(f"/deliberations/of-incident/{incident_id}")
    assert "调解议事" in section.text and demo.MEDIATION["topic"] in section.text
    figures = resources.get("/deliberations/figures", params={"community_code": "changshan"})
    (row,) = figures.json()
    assert (row["held"], row["incident"], row["resolved_locally"]) == (2, 1, 1)
    resources.close()
    incidents.close()
