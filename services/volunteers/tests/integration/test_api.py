"""The HTTP API on a real PostgreSQL: a volunteer's day from sign-up to redemption, and bad
input or wrong state answered as problem+json naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from lianxin.auth import Principal, Role, Scope
from lianxin.testing.events import as_sent, escalation
from volunteers.service_layer.mobilising import mobilise_for_emergency
from volunteers.service_layer.pipeline import LOCAL

from .conftest import a_team_shift, bearer

CS = frozenset({"changshan"})
COORD = bearer(Principal("coord", Role.COMMUNITY_COORDINATOR, Scope(communities=CS), "社区书记"))
OTHER = bearer(Principal("c2", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"x"}))))
ADMIN = bearer(Principal("admin", Role.ALLIANCE_ADMIN, Scope(communities=CS)))


def as_volunteer(volunteer_id: str) -> dict[str, str]:
    return bearer(Principal(volunteer_id, Role.VOLUNTEER, Scope(communities=CS)))


# A firm's donation to Changshan's points shop.
RICE = {
    "community_code": "changshan",
    "name": "大米",
    "donor_kind": "firm",
    "donor": "超市",
    "price": 30,
    "stock": 3,
}


async def test_a_volunteer_signs_up_is_checked_in_earns_and_redeems(api) -> None:
    async def person(name: str) -> str:
        body = {
            "community_code": "changshan",
            "name": name,
            "contact": "13812345678",
            "home_node_path": ["cs-g1", "cs-g1-m1"],
        }
        answer = await api.post("/volunteers", json=body, headers=COORD)
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    leader, member = await person("王师傅"), await person("李阿姨")
    _, shift = await a_team_shift(api, COORD, "changshan", "cs-g1", leader, member, places=1)
    shift_id = shift["id"]

    signed = await api.post(f"/shifts/{shift_id}/sign-ups", headers=as_volunteer(member))
    assert signed.status_code == 200 and signed.json()["places_open"] == 0
    full = await api.post(f"/shifts/{shift_id}/sign-ups", headers=as_volunteer(leader))
    assert full.status_code == 409 and full.headers["content-type"] == "application/problem+json"
    for step in ("check-in", "check-out"):
        done = await api.post(
            f"/shifts/{shift_id}/{step}",
            json={"volunteer_id": member},
            headers=as_volunteer(leader),
        )
        assert done.status_code == 200, done.text
    # Checked out at once: 0 hours, so no points; a coordinator adds a paper passbook's years.
    moved = await api.post(
        "/transfers/adjustments",
        headers=COORD,
        json={"volunteer_id": member, "amount": 50, "reason": "纸质存折"},
    )
    assert moved.status_code == 201, moved.text

    item = await api.post("/shop/items", headers=COORD, json=RICE)
    redeemed = await api.post(
        f"/shop/items/{item.json()['id']}/redemptions",
        headers=as_volunteer(member),
        json={"volunteer_id": member, "handed_over_by": "王会计"},
    )
    assert redeemed.status_code == 201, redeemed.text
    book = (await api.get(f"/volunteers/{member}/passbook", headers=as_volunteer(member))).json()
    assert (book["spendable"], book["lifetime"]) == (20, 50)
    assert (
        await api.get(f"/volunteers/{member}/passbook", headers=as_volunteer(leader))
    ).status_code == 404
    assert (await api.get(f"/volunteers/{member}/passbook", headers=OTHER)).status_code == 404
    board = (
        await api.get(
            "/leaderboards?community_code=changshan&period=" + str(datetime.now(UTC).year),
            headers=COORD,
        )
    ).json()
    assert [r["volunteer_id"] for r in board["rows"]] == [member]
    clean = (await api.get("/ledger/reconciliation", headers=ADMIN)).json()
    assert clean == {"clean": True, "differences": []}


async def test_bad_input_and_wrong_state_name_the_field(api) -> None:
    bad = await api.post("/shop/items", headers=COORD, json={**RICE, "price": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "price"
    rule = await api.post(
        "/activities",
        headers=COORD,
        json={"community_code": "changshan", "node_code": "g", "kind": "juggling", "title": "t"},
    )
    assert rule.status_code == 422 and rule.json()["errors"][0]["field"] == "kind"
    nul = await api.post(
        "/activities",
        headers=COORD,
        json={"community_code": "changshan", "node_code": "g", "kind": "patrol", "title": "a\x00"},
    )
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "title"
    period = await api.get("/leaderboards?community_code=changshan&period=last-year", headers=COORD)
    assert period.status_code == 422 and period.json()["errors"][0]["field"] == "period"
    forbidden = await api.put("/rules/changshan", headers=COORD, json={"daily_cap": 10})
    assert forbidden.status_code == 403
    assert (
        await api.put("/rules/changshan", headers=ADMIN, json={"daily_cap": 10})
    ).status_code == 200
    missing = await api.post(f"/transfers/{uuid4()}/reversal", headers=COORD, json={"reason": "x"})
    assert missing.status_code == 404
    # Found by the stateful fuzz: a stock past its column was a 500; a volunteer the body names
    # that does not exist was a 404, as if the item the path names were missing.
    huge = await api.post("/shop/items", headers=COORD, json={**RICE, "stock": 346601519788678})
    assert huge.status_code == 422 and huge.json()["errors"][0]["field"] == "stock"
    item = (await api.post("/shop/items", headers=COORD, json=RICE)).json()
    nobody = {"volunteer_id": str(uuid4()), "handed_over_by": "王会计"}
    redeemed = await api.post(f"/shop/items/{item['id']}/redemptions", headers=COORD, json=nobody)
    assert redeemed.status_code == 422, redeemed.text
    assert redeemed.json()["errors"][0]["field"] == "volunteer_id"
    assert (await api.get("/mobilisations", headers={})).status_code == 401


async def test_the_mobilisation_board_and_an_in_service_members_record(api, uows) -> None:
    body = {
        "community_code": "changshan",
        "name": "在职党员",
        "contact": "13812345678",
        "home_node_path": ["cs-g1", "cs-g1-m1"],
        "party_member_kind": "in_service",
        "employer_unit_code": "power",
        "employer_branch_code": "power-branch-1",
    }
    member = (await api.post("/volunteers", json=body, headers=COORD)).json()["id"]
    escalated = escalation()
    event = as_sent(escalated)
    await mobilise_for_emergency(uows(), event, escalated, "volunteers_incidents")
    [board] = (await api.get("/mobilisations?community_code=changshan", headers=COORD)).json()
    assert [c["volunteer_id"] for c in board["call_ups"]] == [member]
    assert (await api.get("/mobilisations", headers=OTHER)).json() == []
    me = as_volunteer(member)
    answered = await api.post(
        f"/mobilisations/{board['id']}/answers",
        json={"volunteer_id": member, "accepted": True},
        headers=me,
    )
    assert answered.status_code == 200 and answered.json()["call_ups"][0]["accepted"] is True
    on_site = f"/mobilisations/{board['id']}/check-in"
    who = {"volunteer_id": member}
    assert (await api.post(on_site, json=who, headers=me)).status_code == 200  # arrived
    assert (await api.post(on_site, json=who, headers=COORD)).status_code == 409  # already
    closed = await api.post(f"/mobilisations/{board['id']}/close", headers=COORD)
    assert closed.json()["status"] == "closed"
    assert (await api.post(f"/mobilisations/{board['id']}/close", headers=COORD)).status_code == 409

    year = datetime.now(UTC).astimezone(LOCAL).year
    record = await api.get(f"/volunteers/{member}/service-record?period={year}", headers=COORD)
    assert [r["kind"] for r in record.json()["rows"]] == ["emergency"]
    sheet = await api.get(f"/volunteers/{member}/service-record.csv?period={year}", headers=COORD)
    assert sheet.headers["content-type"].startswith("text/csv")
    lines = sheet.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("姓名") and "power-branch-1" in lines[1] and "合计 1 次" in lines[-1]
    sent = await api.post(
        f"/volunteers/{member}/service-record/report?period={year}", headers=COORD
    )
    assert sent.status_code == 202 and sent.json() == {"services": 1}


async def test_activities_and_mobilisations_are_searched_filtered_and_paged(api) -> None:
    for kind, title in (("patrol", "夜间巡逻"), ("cleaning", "楼道清扫"), ("patrol", "防汛巡查")):
        planned = {"community_code": "changshan", "node_code": "g", "kind": kind, "title": title}
        assert (await api.post("/activities", json=planned, headers=COORD)).status_code == 201
    listed = "/activities?community_code=changshan"
    searched = await api.get(f"{listed}&q=巡", headers=COORD)
    assert {a["title"] for a in searched.json()} == {"夜间巡逻", "防汛巡查"}
    assert searched.headers["x-total-count"] == "2"
    filtered = await api.get(f"{listed}&kind=cleaning", headers=COORD)
    assert [a["title"] for a in filtered.json()] == ["楼道清扫"]
    everything = [a["title"] for a in (await api.get(listed, headers=COORD)).json()]
    second = await api.get(f"{listed}&limit=2&offset=2", headers=COORD)
    assert [a["title"] for a in second.json()] == everything[2:] and len(everything) == 3
    assert second.headers["x-total-count"] == "3"
    for query, field in (("kind=juggling", "kind"), ("limit=0", "limit"), ("offset=x", "offset")):
        bad = await api.get(f"{listed}&{query}", headers=COORD)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == field
    bad = await api.get("/mobilisations?status=asleep", headers=COORD)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    assert (await api.get("/mobilisations?status=active", headers=COORD)).json() == []
