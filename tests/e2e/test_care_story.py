"""Story 14, Mrs Wang lives alone: a visit whose outcome becomes a need, an overdue visit flagged
to her grid, this month's collective birthday — through the console, as her carer and her grid
leader; and no stream of the platform names her."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from lianxin.demo import PARTY_ORGANISATIONS
from lianxin.demo.care import PERSONAL, load_care
from lianxin.messaging.connection import connect
from tests.conftest import Platform

pytestmark = pytest.mark.e2e


async def _load(plat: Platform) -> None:
    """The care register, and Changshan's party organisations (left out of the shared demo
    platform: nothing else needs them), as `make run` loads them."""
    headers = {"Authorization": f"Bearer {plat.token()}"}
    async with httpx.AsyncClient(base_url=plat.url("organisation"), headers=headers) as org:
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


def test_story_14_a_visit_becomes_a_need_an_overdue_visit_is_flagged_and_birthdays_listed(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    asyncio.run(_load(plat))
    carer = plat.console_as("yxl-volunteer")
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
    # Changshan's card: its 161 party households, what they link, its two people in care (the
    # party household's neighbours in building 5's grid): figures from organisation, no name.
    changshan = plat.console_as("cs-coordinator").get("/care/card").text
    assert 'data-care="party_households">161<' in changshan
    row = changshan[changshan.index('data-care-grid="csh-g04"') :]
    assert re.match(r'[^<]*<td>.*?</td><td data-care="people">2<', row)
    assert not [s for s in PERSONAL if s in changshan] and "孙建华" not in changshan
    bodies = asyncio.run(_stream_bodies(plat.nats_url))
    assert bodies and not [s for s in PERSONAL if any(s in b for b in bodies)]
