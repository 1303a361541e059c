"""The organisation's HTTP API on real PostgreSQL and NATS: create, read, update, retire."""

from __future__ import annotations

import httpx

TREE = [
    {"code": "g1", "name": "第一网格", "kind": "grid"},
    {"code": "c1", "name": "朝华新城", "kind": "compound", "parent_code": "g1"},
    {
        "code": "m1",
        "name": "第1微网格",
        "kind": "micro_grid",
        "parent_code": "c1",
        "households": 96,
    },
    {
        "code": "m2",
        "name": "第2微网格",
        "kind": "micro_grid",
        "parent_code": "c1",
        "households": 95,
    },
    {"code": "b1", "name": "1栋", "kind": "building", "parent_code": "m1", "households": 30},
    {"code": "g2", "name": "第八网格", "kind": "grid", "grid_type": "business_district"},
]


def problem_fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [e["field"] for e in response.json()["errors"]]


async def grow(org: httpx.AsyncClient) -> None:
    for node in TREE:
        response = await org.post("/grid-nodes", json={**node, "community_code": "taipingjie"})
        assert response.status_code == 201, response.text


async def test_a_place_is_created_read_updated_and_retired_but_never_deleted(tpj, outbox) -> None:
    community = (await tpj.get("/communities/taipingjie")).json()
    assert community["district_code"] == "fuling" and community["version"] == 1
    assert community["totals"] == {"households": 0, "residents": 0, "merchants": 0}

    updated = await tpj.patch("/communities/taipingjie", json={"area_km2": 0.36})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    unchanged = await tpj.patch("/communities/taipingjie", json={"area_km2": 0.36})
    assert unchanged.json()["version"] == 2  # nothing changed: no new version, no event

    in_use = await tpj.post("/streets/dunren/retirement")
    assert in_use.status_code == 409 and "community taipingjie" in in_use.json()["detail"]

    retired = await tpj.post("/communities/taipingjie/retirement")
    assert retired.status_code == 200 and retired.json()["retired_at"]
    assert (await tpj.get("/communities/taipingjie")).json()["retired_at"]
    assert (await tpj.get("/communities")).json() == []
    assert [c["code"] for c in (await tpj.get("/communities?include_retired=true")).json()] == [
        "taipingjie"
    ]
    assert (await tpj.patch("/communities/taipingjie", json={"name": "新"})).status_code == 409
    assert (await tpj.post("/communities/taipingjie/retirement")).status_code == 409
    assert (await tpj.post("/streets/dunren/retirement")).status_code == 200

    types = [e["type"] for e in await outbox()]
    assert types == [
        "cn.lianxin.org.district.registered.v1",
        "cn.lianxin.org.street.registered.v1",
        "cn.lianxin.org.community.registered.v1",
        "cn.lianxin.org.community.updated.v1",
        "cn.lianxin.org.community.retired.v1",
        "cn.lianxin.org.street.retired.v1",
    ]


async def test_duplicates_conflict_and_unknown_references_name_their_field(tpj) -> None:
    again = await tpj.post("/districts", json={"code": "fuling", "name": "涪陵区", "city": "重庆"})
    assert again.status_code == 409
    lost = {"code": "x", "name": "某社区", "street_code": "nowhere"}
    assert problem_fields(await tpj.post("/communities", json=lost)) == ["street_code"]
    assert problem_fields(await tpj.post("/districts", json={"code": "Bad Code"})) == [
        "code",
        "name",
        "city",
    ]
    assert (await tpj.get("/streets/nowhere")).status_code == 404


async def test_a_department_declares_categories_areas_channels_and_targets(tpj) -> None:
    body = {
        "code": "property",
        "name": "物业服务中心",
        "name_en": "Property management",
        "categories": ["property_management", "power_supply"],
        "areas": [{"level": "community", "code": "taipingjie"}],
        "channels": [{"kind": "webhook", "url": "https://wuye.example.cn/hook"}],
        "sla": {"resolve_hours": {"utilities": 12}},
    }
    created = (await tpj.post("/departments", json=body)).json()
    assert created["sla"] == {
        "acknowledge_minutes": 30,
        "resolve_hours": {"emergency": 2, "utilities": 12, "general": 168, "complex": 360},
    }
    assert created["channels"] == [
        {"kind": "webhook", "url": "https://wuye.example.cn/hook", "service_code": None}
    ]
    no_url = {"channels": [{"kind": "webhook"}]}
    assert problem_fields(await tpj.patch("/departments/property", json=no_url)) == ["channels.url"]
    far = {"areas": [{"level": "street", "code": "tuanshan"}]}
    assert problem_fields(await tpj.patch("/departments/property", json=far)) == ["areas"]
    patched = await tpj.patch("/departments/property", json={"sla": {"acknowledge_minutes": 10}})
    assert patched.json()["sla"]["acknowledge_minutes"] == 10
    assert patched.json()["sla"]["resolve_hours"]["utilities"] == 24  # a new SLA replaces the old
    by_category = (await tpj.get("/departments?category=power_supply")).json()
    assert [d["code"] for d in by_category] == ["property"]

    await tpj.post("/departments/property/retirement")
    assert (await tpj.get("/departments")).json() == []
    assert (await tpj.get("/departments/property")).json()["retired_at"]


async def test_member_units_the_big_committee_and_its_rotating_chair(tpj) -> None:
    unit = {
        "code": "u1",
        "name": "敦仁派出所",
        "kind": "party_government_organ",
        "community_code": "taipingjie",
        "relation": "resident",
        "liaisons": [{"name": "王建国", "phone": "13800000000", "post": "教导员"}],
    }
    assert (await tpj.post("/member-units", json=unit)).status_code == 201
    co_building = {**unit, "code": "u2", "name": "老东粥皇", "kind": "merchant"}
    co_building["relation"] = "co_building"
    assert problem_fields(await tpj.post("/member-units", json=co_building)) == ["agreement"]
    co_building["agreement"] = {"signed_on": "2023-03-01"}
    assert (await tpj.post("/member-units", json=co_building)).status_code == 201
    shown = (await tpj.get("/member-units/u1")).json()
    assert shown["liaisons"][0]["phone"] == "13800000000"

    committee = {
        "secretary": {"name": "刘志远", "post": "街道驻社区领导"},
        "deputy": {"name": "何晓梅", "post": "社区党委书记"},
        "members": [{"member_unit_code": "u1", "name": "周建国", "post": "兼职委员"}],
    }
    made = await tpj.post("/communities/taipingjie/big-committee", json=committee)
    assert made.status_code == 201, made.text
    again = await tpj.post("/communities/taipingjie/big-committee", json=committee)
    assert again.status_code == 409
    terms = "/communities/taipingjie/big-committee/chair-terms"
    q1 = {"member_unit_code": "u1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
    assert (await tpj.post(terms, json=q1)).status_code == 201
    overlap = {"member_unit_code": "u2", "starts_on": "2026-03-01", "ends_on": "2026-06-30"}
    assert problem_fields(await tpj.post(terms, json=overlap)) == ["starts_on"]
    ghost = {"member_unit_code": "u9", "starts_on": "2026-04-01", "ends_on": "2026-06-30"}
    assert problem_fields(await tpj.post(terms, json=ghost)) == ["member_unit_code"]
    shown = (await tpj.get("/communities/taipingjie/big-committee")).json()
    assert [t["member_unit_code"] for t in shown["chair_terms"]] == ["u1"]
    assert shown["version"] == 2

    sits = await tpj.post("/member-units/u1/retirement")
    assert sits.status_code == 409
    assert (await tpj.post("/member-units/u2/retirement")).status_code == 200


async def test_the_grid_tree_over_http(tpj) -> None:
    await grow(tpj)
    wrong = {"code": "m9", "name": "x", "kind": "micro_grid", "community_code": "taipingjie"}
    assert problem_fields(await tpj.post("/grid-nodes", json={**wrong, "parent_code": "b1"})) == [
        "parent_code"
    ]
    cycle = await tpj.post("/grid-nodes/c1/move", json={"parent_code": "m1"})
    assert problem_fields(cycle) == ["parent_code"] and "cycle" in cycle.json()["detail"]

    assert (await tpj.get("/grid-nodes/g1")).json()["totals"]["households"] == 221
    moved = await tpj.post("/grid-nodes/m1/move", json={"parent_code": "g2"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["path"] == ["g2", "m1"] and moved.json()["totals"]["households"] == 126
    assert (await tpj.get("/grid-nodes/g1")).json()["totals"]["households"] == 95
    assert (await tpj.get("/grid-nodes/g2")).json()["totals"]["households"] == 126
    assert (await tpj.get("/grid-nodes/b1")).json()["path"] == ["g2", "m1", "b1"]
    assert (await tpj.get("/communities/taipingjie")).json()["totals"]["households"] == 221

    subtree = [n["code"] for n in (await tpj.get("/grid-nodes/g2/subtree")).json()]
    assert subtree == ["g2", "m1", "b1"]
    path = [n["code"] for n in (await tpj.get("/grid-nodes/b1/path")).json()]
    assert path == ["g2", "m1", "b1"]

    await tpj.patch("/grid-nodes/b1", json={"addresses": ["1栋"]})
    serving = await tpj.get("/communities/taipingjie/serving-node", params={"address": "1栋302"})
    assert serving.json()["code"] == "b1"
    nowhere = await tpj.get("/communities/taipingjie/serving-node", params={"address": "9栋"})
    assert nowhere.status_code == 404

    assert (await tpj.post("/grid-nodes/m1/retirement")).status_code == 409  # b1 is under it
    retired = await tpj.post("/grid-nodes/b1/retirement")
    assert retired.status_code == 200 and retired.json()["retired_at"]
    assert (await tpj.get("/grid-nodes/m1")).json()["totals"]["households"] == 96
    codes = [n["code"] for n in (await tpj.get("/communities/taipingjie/grid-nodes")).json()]
    assert "b1" not in codes and len(codes) == 5
    assert (await tpj.get("/grid-nodes/b1")).json()["retired_at"]


async def test_people_hold_posts_one_holder_each(tpj, outbox) -> None:
    await grow(tpj)
    leader = {
        "code": "p1",
        "community_code": "taipingjie",
        "name": "王建国",
        "phone": "13800000000",
        "node_code": "m1",
        "party_member_kind": "registered",
        "roles": [
            {"role": "micro_grid_leader", "node_code": "m1"},
            {"role": "fire_warden", "node_code": "m1"},
        ],
    }
    assert (await tpj.post("/people", json=leader)).status_code == 201
    rival = {**leader, "code": "p2", "name": "李秀英", "roles": leader["roles"][:1]}
    taken = await tpj.post("/people", json=rival)
    assert taken.status_code == 409 and "held by p1" in taken.json()["detail"]
    wrong = {**rival, "roles": [{"role": "building_leader", "node_code": "m1"}]}
    assert problem_fields(await tpj.post("/people", json=wrong)) == ["roles.node_code"]

    posts = (await tpj.get("/grid-nodes/m1/posts")).json()
    assert [p["code"] for p in posts] == ["p1"] and posts[0]["phone"] == "13800000000"
    await tpj.patch("/people/p1", json={"roles": [{"role": "fire_warden", "node_code": "m1"}]})
    assert (await tpj.post("/people", json=rival)).status_code == 201
    holders = (await tpj.get("/grid-nodes/m1/posts?role=micro_grid_leader")).json()
    assert [p["code"] for p in holders] == ["p2"]

    in_service = {
        "code": "p3",
        "community_code": "taipingjie",
        "name": "张春梅",
        "party_member_kind": "in_service",
    }
    assert problem_fields(await tpj.post("/people", json=in_service)) == ["employer_unit_code"]

    assert (await tpj.post("/grid-nodes/m1/retirement")).status_code == 409
    retired = (await tpj.post("/people/p1/retirement")).json()
    assert retired["retired_at"] and retired["roles"] == []
    assert [p["code"] for p in (await tpj.get("/grid-nodes/m1/posts")).json()] == ["p2"]

    people_events = [e for e in await outbox() if ".person." in e["type"]]
    assert len(people_events) == 4
    assert all("phone" not in e["data"] for e in people_events)
    assert "13800000000" not in str(await outbox())


async def test_party_organisations_sit_on_the_tree(tpj) -> None:
    await grow(tpj)
    branch = {
        "code": "g1-branch",
        "name": "第一网格党支部",
        "kind": "grid_party_branch",
        "community_code": "taipingjie",
        "node_codes": ["g1"],
    }
    assert (await tpj.post("/party-organisations", json=branch)).status_code == 201
    household = {
        **branch,
        "code": "b1-h1",
        "name": "党员中心户",
        "kind": "party_household",
        "node_codes": ["b1"],
        "linked_households": 31,
    }
    assert problem_fields(await tpj.post("/party-organisations", json=household)) == [
        "linked_households"
    ]
    household["linked_households"] = 25
    assert (await tpj.post("/party-organisations", json=household)).status_code == 201
    on_b1 = (await tpj.get("/party-organisations?node_code=b1")).json()
    assert [o["code"] for o in on_b1] == ["b1-h1"]
    assert (await tpj.post("/grid-nodes/b1/retirement")).status_code == 409
    await tpj.post("/party-organisations/b1-h1/retirement")
    assert (await tpj.post("/grid-nodes/b1/retirement")).status_code == 200


async def test_an_alliance_of_communities_and_branches(tpj) -> None:
    branch = {
        "code": "b1",
        "name": "非公企业党支部",
        "kind": "non_public_party_branch",
        "community_code": "taipingjie",
        "relation": "resident",
    }
    await tpj.post("/member-units", json=branch)
    alliance = {
        "code": "nanmenshan",
        "name": "南门山党群服务中心联盟",
        "community_codes": ["taipingjie"],
        "branch_unit_codes": ["b1"],
    }
    made = (await tpj.post("/alliances", json=alliance)).json()
    assert len(made["mechanisms"]) == 6  # the six joint mechanisms unless told otherwise
    bad = {"mechanisms": ["joint_activities", "joint_gossip"]}
    assert problem_fields(await tpj.patch("/alliances/nanmenshan", json=bad)) == ["mechanisms.1"]
    assert (await tpj.post("/member-units/b1/retirement")).status_code == 409
    listed = (await tpj.get("/alliances?community_code=taipingjie")).json()
    assert [a["code"] for a in listed] == ["nanmenshan"]
