"""Bulk imports of a community's tree, people and party organisations: all or nothing, and every
error names its line and field."""

from __future__ import annotations

import json

import httpx

CSV = "text/csv"
TREE_CSV = """code,name,kind,parent_code,households,residents,merchants,grid_type,addresses
g1,第一网格（朝华新城）,grid,,,,,residential,
c1,朝华新城,compound,g1,,,,,朝华新城
m1,朝华新城第1微网格,micro_grid,c1,96,300,12,,1栋;2栋
m2,朝华新城第2微网格,micro_grid,c1,94,280,,,3栋
g8,第八网格（太平街商圈）,grid,,,,,business_district,
m3,太平街商圈第1微网格,micro_grid,g8,90,150,400,,
"""


async def post(org: httpx.AsyncClient, what: str, body: str, media: str) -> httpx.Response:
    return await org.post(
        f"/communities/taipingjie/{what}/import",
        content=body.encode(),
        headers={"content-type": media},
    )


def errors(response: httpx.Response) -> list[tuple[int, str]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["line"], e["field"]) for e in response.json()["errors"]]


async def test_a_tree_from_csv(tpj, outbox) -> None:
    imported = await post(tpj, "grid-nodes", TREE_CSV, CSV)
    assert imported.status_code == 201, imported.text
    assert imported.json()["created"] == 6
    community = (await tpj.get("/communities/taipingjie")).json()
    assert community["totals"] == {"households": 280, "residents": 730, "merchants": 412}
    m1 = (await tpj.get("/grid-nodes/m1")).json()
    assert m1["path"] == ["g1", "c1", "m1"] and m1["addresses"] == ["1栋", "2栋"]
    assert (await tpj.get("/grid-nodes/g8")).json()["grid_type"] == "business_district"
    registered = [e for e in await outbox() if e["type"].endswith("grid_node.registered.v1")]
    assert [e["data"]["code"] for e in registered] == ["g1", "c1", "m1", "m2", "g8", "m3"]


async def test_bad_lines_are_named_and_nothing_is_written(tpj, outbox) -> None:
    await post(tpj, "grid-nodes", TREE_CSV, CSV)
    before = len(await outbox())
    bad = """code,name,kind,parent_code,households
m4,第4微网格,micro_grid,c1,95
x1,小区,district,g1,
m5,第5微网格,micro_grid,c9,90
m4,又一个,micro_grid,c1,90
m1,重复,micro_grid,c1,90
m6,第6微网格,micro_grid,m4,many
b1,1栋,building,m5,
u1,1单元,unit,m4,
"""
    response = await post(tpj, "grid-nodes", bad, CSV)
    assert errors(response) == [
        (3, "kind"),  # bad kind
        (4, "parent_code"),  # unknown parent
        (5, "code"),  # duplicate in the file
        (6, "code"),  # duplicate of a node already registered
        (7, "households"),  # not a count
        (8, "parent_code"),  # its parent's line was bad
        (9, "parent_code"),  # a unit cannot sit under a micro-grid
    ]
    details = {e["line"]: e["detail"] for e in response.json()["errors"]}
    assert "unknown grid node kind 'district'" in details[3]
    assert "unknown parent c9" in details[4]
    assert "already on line 2" in details[5] and "already registered" in details[6]
    assert "line 4" in details[8]
    assert len(await outbox()) == before
    codes = [n["code"] for n in (await tpj.get("/communities/taipingjie/grid-nodes")).json()]
    assert codes == ["g1", "c1", "m1", "m2", "g8", "m3"]


async def test_a_json_import_names_the_line_each_record_starts_on(tpj) -> None:
    nodes = [
        {"code": "g1", "name": "第一网格", "kind": "grid"},
        {"code": "m1", "name": "第1微网格", "kind": "building", "parent_code": "nowhere"},
        {"code": "g1", "name": "again", "kind": "grid"},
    ]
    body = json.dumps(nodes, ensure_ascii=False, indent=2)  # each record spans 5–6 lines
    starts = [i + 1 for i, line in enumerate(body.splitlines()) if line == "  {"]
    response = await post(tpj, "grid-nodes", body, "application/json")
    assert errors(response) == [(starts[1], "parent_code"), (starts[2], "code")]
    assert (await tpj.get("/communities/taipingjie/grid-nodes")).json() == []

    one_a_line = "[\n" + ",\n".join(json.dumps(n) for n in nodes[:1]) + "\n]"
    assert (await post(tpj, "grid-nodes", one_a_line, "application/json")).status_code == 201


async def test_what_cannot_be_read_is_refused_whole(tpj) -> None:
    broken = await post(tpj, "grid-nodes", '[{"code": "g1",\n "name": }]', "application/json")
    assert errors(broken) == [(2, "body")]
    assert errors(await post(tpj, "grid-nodes", "[]", "application/json")) == [(1, "body")]
    assert errors(await post(tpj, "grid-nodes", '{"code": "g1"}', "application/json")) == [
        (1, "body")
    ]
    assert (await post(tpj, "grid-nodes", "<nodes/>", "application/xml")).status_code == 415
    unknown = await tpj.post(
        "/communities/nowhere/grid-nodes/import", content=TREE_CSV, headers={"content-type": CSV}
    )
    assert unknown.status_code == 404
    typo = "code,name,kind,parnt_code\ng1,第一网格,grid,\n"
    assert errors(await post(tpj, "grid-nodes", typo, CSV)) == [(1, "parnt_code")]


async def test_people_and_party_organisations_in_bulk(tpj, outbox) -> None:
    await post(tpj, "grid-nodes", TREE_CSV, CSV)
    people = [
        {
            "code": "p1",
            "name": "王建国",
            "node_code": "m1",
            "roles": [{"role": "micro_grid_leader", "node_code": "m1"}],
        },
        {
            "code": "p2",
            "name": "李秀英",
            "roles": [{"role": "micro_grid_leader", "node_code": "m1"}],
        },
        {"code": "p3", "name": "张", "node_code": "zz"},
        {"code": "p4", "name": "刘", "party_member_kind": "in_service"},
    ]
    body = "[\n" + ",\n".join(json.dumps(p, ensure_ascii=False) for p in people) + "\n]"
    response = await post(tpj, "people", body, "application/json")
    assert errors(response) == [(3, "roles"), (4, "node_code"), (5, "employer_unit_code")]
    assert (await tpj.get("/people?community_code=taipingjie")).json() == []

    good = "[\n" + ",\n".join(json.dumps(p, ensure_ascii=False) for p in people[:1]) + "\n]"
    assert (await post(tpj, "people", good, "application/json")).status_code == 201
    holders = (await tpj.get("/grid-nodes/m1/posts")).json()
    assert [p["code"] for p in holders] == ["p1"]

    organisations = """code,name,kind,node_codes,linked_households,leader_person_code
g1-branch,第一网格党支部,grid_party_branch,g1,,
m1-h1,党员中心户,party_household,m1,25,
m1-h2,党员中心户,party_household,m1;m2,25,
m1-h3,党员中心户,party_household,m1,40,
"""
    response = await post(tpj, "party-organisations", organisations, CSV)
    assert errors(response) == [(4, "node_codes"), (5, "linked_households")]
    fixed = "\n".join(organisations.splitlines()[:3]) + "\n"
    assert (await post(tpj, "party-organisations", fixed, CSV)).json()["created"] == 2
    types = [e["type"] for e in await outbox()]
    assert types.count("cn.lianxin.org.party_organisation.registered.v1") == 2
