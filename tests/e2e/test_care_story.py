"""Story 14, Mrs Wang lives alone: a visit whose outcome becomes a need, an overdue visit flagged
to her grid, this month's collective birthday — through the console, as her carer and her grid
leader; her red-vest volunteer's visits earning hours and points once, her party household
neighbour's nothing; and no stream of the platform names her."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from decimal import Decimal

import httpx
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from lianxin.demo import PARTY_ORGANISATIONS
from lianxin.demo.care import PERSONAL, load_care, load_care_volunteers
from lianxin.http_clients import async_client
from lianxin.messaging.connection import connect
from tests.conftest import Platform, eventually
from tests.e2e.test_lists_and_volunteers import earned, last_message

pytestmark = pytest.mark.e2e


async def _load(plat: Platform) -> None:
    """The care register, and Changshan's party organisations (left out of the shared demo
    platform: nothing else needs them), as `make run` loads them."""
    headers = {"Authorization": f"Bearer {plat.token()}"}
    async with async_client(base_url=plat.url("organisation"), headers=headers) as org:
        await load_care(org)
        have = await org.get("/party-organisations", params={"community_code": "changshan"})
        if not have.json():
            rows = [
                {k: v for k, v in p.items() if k != "community_code"}
                for p in PARTY_ORGANISATIONS
                if p["community_code"] == "changshan"
            ]
            path = "/communities/changshan/party-organisations/import"
            imported = await org.post(path, json=rows)
            assert imported.status_code == 201, imported.text


async def _stream_bodies(nats_url: str) -> list[str]:
    """Every message on every stream of the platform, as text."""
    nc = await connect(nats_url, "lianxin-test")
    bodies: list[str] = []
    try:
        js = nc.jetstream()
        for stream in await js.streams_info():
            last = stream.state.last_seq
            if not stream.state.messages:
                continue
            config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
            sub = await js.pull_subscribe(">", stream=stream.config.name, config=config)
            while True:
                batch = await sub.fetch(500, timeout=5)
                bodies += [m.data.decode(errors="replace") for m in batch]
                if batch[-1].metadata.sequence.stream >= last:
                    break
    finally:
        await nc.close()
    return bodies


async def _load_with_volunteers(plat: Platform) -> None:
    """The register (its past visits first), then 赵红 (`yxl-volunteer`) as a volunteer: the
    demo's visits before she registered earn her nothing."""
    await _load(plat)
    headers = {"Authorization": f"Bearer {plat.token()}"}
    async with async_client(base_url=plat.url("volunteers"), headers=headers) as volunteers:
        await load_care_volunteers(volunteers)


def _mrs_wangs_carer(plat: Platform, *, volunteers: bool = False) -> httpx.Client:
    """The demo register loaded (with 赵红 registered as a volunteer, if asked), and the console
    signed in as 赵红, Mrs Wang's red-vest carer."""
    asyncio.run(_load_with_volunteers(plat) if volunteers else _load(plat))
    return plat.console_as("yxl-volunteer")


def test_story_14_a_visit_becomes_a_need_an_overdue_visit_is_flagged_and_birthdays_listed(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    carer = _mrs_wangs_carer(plat)
    mine = carer.get("/care")
    assert mine.status_code == 200 and "王秀英" in mine.text and "陈国华" not in mine.text
    empty = carer.post("/care/entries/yxl-care-001/visits", data={"kind": "meal_delivery"})
    assert empty.status_code == 422 and "outcome" in empty.text
    fell = {"kind": "meal_delivery", "outcome": "卫生间滑倒，需要安装扶手", "needs_follow_up": "on"}
    recorded = carer.post("/care/entries/yxl-care-001/visits", data=fell)
    assert recorded.status_code == 303 and "care.need_waiting" in recorded.headers["location"]

    leader = plat.console_as("yxl-g01-leader")
    # The grid leader's own care page leads to the grids she keeps.
    assert 'data-grid-link="yxl-g01"' in leader.get("/care").text
    page = leader.get("/care/grids/yxl-g01").text
    title = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert title.endswith("· 第一网格"), title
    # Her weekly home visit was nine days ago: flagged, by her name; lunch was just brought: not.
    assert re.findall(r'data-overdue="([^"]+)"', page) == ["yxl-care-001"]
    assert re.search(r'data-overdue="yxl-care-001">王秀英 · ', page)
    # Outside the grid's keepers and carers the page does not exist.
    assert plat.console_as("power-operator").get("/care/grids/yxl-g01").status_code == 404
    assert "yxl-care-001" in re.findall(r'data-birthday="([^"]+)"', page)
    (visit_id,) = re.findall(r'data-follow-up="([^"]+)"', page)
    form = {"community_code": "yongxinglu", "grid_code": "yxl-g01", "outcome": fell["outcome"]}
    raised = leader.post(f"/care/visits/{visit_id}/need", data=form)
    assert "care.need_raised" in raised.headers["location"], raised.headers["location"]
    assert re.findall(r'data-follow-up="([^"]+)"', leader.get("/care/grids/yxl-g01").text) == []

    with plat.http("resources") as resources:
        needs = resources.get("/needs", params={"community_code": "yongxinglu"}).json()
    (need,) = [n for n in needs if n.get("origin_ref") == f"care_visit:{visit_id}"]
    assert need["title"] == fell["outcome"] and "王秀英" not in str(need)
    with plat.http("organisation", plat.token("yxl-coordinator", "lianxin-demo")) as org:
        entry = org.get("/care/entries/yxl-care-001", params={"purpose": "核对"}).json()
        assert [v["need_id"] for v in entry["visits"] if v["id"] == visit_id] == [need["id"]]
        log = org.get("/care/entries/yxl-care-001/access-log").json()
    assert {"yxl-volunteer", "yxl-g01-leader", "yxl-coordinator"} <= {r["reader"] for r in log}

    # The dashboards count her; nobody else names her.
    card = plat.console_as("yxl-coordinator").get("/care/card").text
    assert 'data-care-grid="yxl-g01"' in card and "王秀英" not in card
    # The grid leader's card: her grid only, not the community's other grids.
    mine = plat.console_as("yxl-g01-leader").get("/care/card").text
    assert set(re.findall(r'data-care-grid="([^"]+)"', mine)) == {"yxl-g01"}
    assert len(set(re.findall(r'data-care-grid="([^"]+)"', card))) > 1
    # Changshan's card: its 161 party households, what they link, its two people in care (the
    # party household's neighbours in building 5's grid): figures from organisation, no name.
    changshan = plat.console_as("cs-coordinator").get("/care/card").text
    assert 'data-care="party_households">161<' in changshan
    row = changshan[changshan.index('data-care-grid="csh-g04"') :]
    assert re.match(r'[^<]*<td class="lead">.*?</td><td [^>]*data-care="people">2<', row)
    assert not [s for s in PERSONAL if s in changshan] and "孙建华" not in changshan
    bodies = asyncio.run(_stream_bodies(plat.nats_url))
    assert bodies and not [s for s in PERSONAL if any(s in b for b in bodies)]


def _settled(plat: Platform) -> None:
    """Every care visit on ORG handled by volunteers (applied, skipped or dead-lettered)."""
    eventually(
        lambda: (
            (c := plat.consumer("ORG", "volunteers_care")).num_pending == 0
            and c.num_ack_pending == 0
        )
    )


def test_story_14_a_volunteers_visit_earns_her_hours_and_points_once_a_neighbours_nothing(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    carer = _mrs_wangs_carer(plat, volunteers=True)
    mine = carer.get("/care").text
    # Her form says the visit counts as volunteering; nothing credited yet (the demo's visits
    # were before she registered).
    assert "data-as-volunteer" in mine and "data-care-service=" not in mine
    lunch = {"kind": "meal_delivery", "outcome": "周三午餐已送到", "minutes": "90"}
    recorded = carer.post("/care/entries/yxl-care-001/visits", data=lunch)
    assert recorded.status_code == 303
    assert "care.recorded_volunteer" in recorded.headers["location"]

    her = plat.http("volunteers", plat.token("yxl-volunteer", "lianxin-demo"))
    me = her.get("/my/volunteer").json()
    services = f"/volunteers/{me['id']}/care-services"
    [service] = eventually(lambda: her.get(services).json())
    # 90 minutes of elder care at Yongxinglu's default 10 points an hour.
    assert (Decimal(service["hours"]), service["points"]) == (Decimal("1.50"), 15)
    assert (service["kind"], service["description"]) == ("elder_care", "关爱送餐")
    passbook = her.get(f"/volunteers/{me['id']}/passbook").json()
    [credit] = earned(passbook)
    assert (credit["amount"], credit["reason"], passbook["lifetime"]) == (15, "关爱送餐", 15)
    # Her carer's page says what the visit earned; her own record shows the service in Chinese.
    page = carer.get("/care").text
    assert f'data-care-service="{service["visit_id"]}"' in page and "+15" in page
    assert "关爱送餐" in carer.get("/volunteering/me").text

    # The visit's event delivered again (the same event under another message id, so that
    # JetStream keeps it), and sent anew (a new event id, the same visit): paid once.
    data, _ = last_message(plat, "ORG", "org.care_visit.recorded")
    event = json.loads(data)
    assert event["data"]["visit_id"] == service["visit_id"]
    plat.publish("org.care_visit.recorded", data, headers={"Nats-Msg-Id": f"again-{event['id']}"})
    anew = json.dumps({**event, "id": str(uuid.uuid4())}).encode()
    plat.publish("org.care_visit.recorded", anew, headers={"Nats-Msg-Id": f"anew-{event['id']}"})
    # A malformed visit (no visit id) and a message that is no event: dead letters.
    broken = {**event, "id": str(uuid.uuid4()), "data": {**event["data"]}}
    del broken["data"]["visit_id"]
    plat.publish("org.care_visit.recorded", json.dumps(broken).encode())
    plat.publish("org.care_visit.recorded", b"{not json")

    # Her party household neighbour is a carer, not a registered volunteer: nothing to earn.
    neighbour = plat.console_as("yxl-party-household")
    assert "data-as-volunteer" not in neighbour.get("/care").text
    chat = {"kind": "home_visit", "outcome": "聊了家常", "minutes": "30"}
    visited = neighbour.post("/care/entries/yxl-care-001/visits", data=chat)
    assert visited.headers["location"].endswith("notice=care.recorded")

    with plat.http("volunteers") as volunteers:

        def care_letters() -> list[dict]:
            got = volunteers.get("/ops/dead-letters").json()
            return [letter for letter in got if letter["consumer"] == "volunteers_care"]

        letters = eventually(lambda: len(got := care_letters()) == 2 and got)
    assert len(letters) == 2
    assert any("visit_id" in letter["reason"] for letter in letters)
    _settled(plat)
    assert her.get(services).json() == [service]
    passbook = her.get(f"/volunteers/{me['id']}/passbook").json()
    assert [t["amount"] for t in earned(passbook)] == [15] and passbook["lifetime"] == 15
    her.close()
    # Volunteers and its events name nobody in care.
    bodies = asyncio.run(_stream_bodies(plat.nats_url))
    assert any('"source_key":"care_visit:' in b.replace(" ", "") for b in bodies)
    assert not [s for s in PERSONAL if any(s in b for b in bodies)]
