"""Every change is an event on ORG, and every event matches its published JSON Schema."""

from __future__ import annotations

import asyncio
import json

import httpx
import jsonschema
import nats as nats_py
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from lianxin.contracts import EVENT_TYPES
from lianxin.contracts.schemas import DOCS

# The care register's events (org.care_*) are checked by test_care.py.
ORG_TYPES = {t for t in EVENT_TYPES if t.startswith("cn.lianxin.org.") and ".care_" not in t}

# For each aggregate: where it is created, how it is changed, where it is retired.
LIFECYCLES = [
    ("/districts", {"code": "laoshan", "name": "崂山区", "city": "青岛市"}, "/districts/laoshan"),
    ("/streets", {"code": "s2", "name": "沙子口街道", "district_code": "fuling"}, "/streets/s2"),
    (
        "/communities",
        {"code": "c2", "name": "山海社区", "street_code": "dunren"},
        "/communities/c2",
    ),
    (
        "/member-units",
        {
            "code": "u1",
            "name": "非公企业党支部",
            "kind": "non_public_party_branch",
            "community_code": "taipingjie",
            "relation": "resident",
            "liaisons": [{"name": "王建国", "phone": "13800000000"}],
        },
        "/member-units/u1",
    ),
    (
        "/alliances",
        {"code": "a1", "name": "南门山联盟", "community_codes": ["taipingjie"]},
        "/alliances/a1",
    ),
    (
        "/departments",
        {"code": "power_supply", "name": "供电公司", "categories": ["power_supply"]},
        "/departments/power_supply",
    ),
    (
        "/grid-nodes",
        {"code": "g1", "name": "第一网格", "kind": "grid", "community_code": "taipingjie"},
        None,
    ),
    (
        "/grid-nodes",
        {
            "code": "m1",
            "name": "第1微网格",
            "kind": "micro_grid",
            "community_code": "taipingjie",
            "parent_code": "g1",
        },
        "/grid-nodes/m1",
    ),
    (
        "/party-organisations",
        {
            "code": "g1-branch",
            "name": "第一网格党支部",
            "kind": "grid_party_branch",
            "community_code": "taipingjie",
            "node_codes": ["g1"],
        },
        "/party-organisations/g1-branch",
    ),
    (
        "/people",
        {
            "code": "p1",
            "community_code": "taipingjie",
            "name": "王建国",
            "phone": "13800000000",
            "roles": [{"role": "fire_warden", "node_code": "m1"}],
        },
        "/people/p1",
    ),
    (
        "/communities/taipingjie/big-committee",
        {"secretary": {"name": "刘志远"}},
        "/communities/taipingjie/big-committee",
    ),
]
CHANGES = {
    "/people/p1": {"phone": "13900000000", "name": "王建华"},
    "/communities/taipingjie/big-committee": {"deputy": {"name": "何晓梅"}},
}


async def live_every_lifecycle(org: httpx.AsyncClient) -> None:
    for create, body, _ in LIFECYCLES:
        assert (await org.post(create, json=body)).status_code == 201, create
    for _, body, path in LIFECYCLES:
        if path:
            change = CHANGES.get(path, {"name": body.get("name", "x") + "（改）"})
            assert (await org.patch(path, json=change)).status_code == 200, path
    for _, _, path in reversed(LIFECYCLES):
        if path:
            response = await org.post(f"{path}/retirement")
            assert response.status_code == 200, response.text


async def test_every_org_event_matches_its_committed_schema(tpj, outbox) -> None:
    await live_every_lifecycle(tpj)
    events = await outbox()
    assert {e["type"] for e in events} == ORG_TYPES
    for event in events:
        schema = json.loads((DOCS / "events" / f"{event['type']}.json").read_text())
        jsonschema.validate(event, schema)
        assert event["source"] == "/lianxin/organisation"
        assert event["subject"] == event["data"].get("code", event["data"].get("community_code"))
    assert "13800000000" not in json.dumps(events) and "13900000000" not in json.dumps(events)
    updated = [e for e in events if e["type"] == "cn.lianxin.org.person.updated.v1"]
    assert [e["data"]["changed"] for e in updated] == [["name", "phone"]]
    taipingjie = [e for e in events if e["data"].get("community_code") == "taipingjie"]
    assert taipingjie and all(e["community"] == "taipingjie" for e in taipingjie)


async def test_the_events_reach_the_org_stream_in_order(tpj, outbox, nats: str) -> None:
    await live_every_lifecycle(tpj)
    written = await outbox()
    nc = await nats_py.connect(nats)
    try:
        js = nc.jetstream()
        # An ephemeral consumer from the stream's start, as a new read model would use.
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
        subscription = await js.pull_subscribe("org.>", stream="ORG", config=config)
        seen: list = []
        for _ in range(50):
            if len(seen) >= len(written):
                break
            try:
                seen += await subscription.fetch(100, timeout=0.5)
            except nats_py.errors.TimeoutError:
                await asyncio.sleep(0.1)
    finally:
        await nc.close()
    assert [m.headers["Nats-Msg-Id"] for m in seen] == [e["id"] for e in written]
    for message, event in zip(seen, written, strict=True):
        aggregate, change = event["type"].split(".")[3:5]
        assert message.subject == f"org.{aggregate}.{change}"
