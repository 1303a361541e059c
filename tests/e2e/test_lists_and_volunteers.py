"""Stories 9, 11, 12 and 13 across real processes: micro-wishes, wartime mobilisation and the
points shop, with resources, incidents and volunteers talking over NATS (issues #12 and #13).

A volunteer's token: organisation names a token's subject after the account's username;
volunteers reads a VOLUNTEER token as the profile linked to that account or, for a profile
linked to none, the profile whose id is the subject. These tests register volunteers without an
account and open one named after the volunteer's id (the link by account is tested in volunteers'
integration tests and in `tests/browser/test_volunteering.py`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.messaging.connection import connect
from tests.conftest import Platform, eventually
from tests.e2e.data import TRANSFORMER, escalation, ok, report, resolved

pytestmark = pytest.mark.e2e

COMMUNITY = "taipingjie"
YEAR = "2026"
WHEELCHAIR = {
    "community_code": COMMUNITY,
    "grid_node_code": "tpj-g01",
    "title": "一辆轮椅",
    "description": "腿脚不便, 想要一辆轮椅出门晒太阳",
    "resident_name": "李奶奶",
    "resident_contact": "13900001111",
}


def register(plat: Platform, **fields) -> dict:
    """A coordinator registers a volunteer with the volunteers service."""
    coordinator = plat.http("volunteers", plat.token("tpj-coordinator", DEMO_PASSWORD))
    body = {
        "community_code": COMMUNITY,
        "home_node_path": ["tpj-g01", "tpj-g01-m01"],
        "consent_to_contact": True,
        **fields,
    }
    return ok(coordinator.post("/volunteers", json=body), 201)


def volunteer_token(plat: Platform, volunteer: dict) -> str:
    """Her own token: an organisation account whose username is her volunteer id (see above)."""
    account = {
        "username": str(volunteer["id"]),
        "display_name": volunteer["name"],
        "role": "volunteer",
        "scope": {"communities": [volunteer["community_code"]]},
        "secret": DEMO_PASSWORD,
    }
    with plat.http("organisation") as organisation:
        opened = organisation.post("/accounts", json=account)
    assert opened.status_code == 201, opened.text
    return plat.token(str(volunteer["id"]), DEMO_PASSWORD)


def last_message(plat: Platform, stream: str, subject: str) -> tuple[bytes, dict[str, str]]:
    async def get():
        nc = await connect(plat.nats_url, "lianxin-test")
        try:
            msg = await nc.jetstream().get_last_msg(stream, subject)
            return msg.data, dict(msg.headers or {})
        finally:
            await nc.close()

    return asyncio.run(get())


def earned(passbook: dict) -> list[dict]:
    return [t for t in passbook["transfers"] if t["kind"] == "earn"]


def test_a_micro_wish_fulfilled_by_an_in_service_party_member_credits_her_once(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    she = register(
        plat,
        name="赵敏",
        contact="13700002222",
        skills=["errand_service"],
        party_member_kind="in_service",
        employer_unit_code="tpj-u01",
        employer_branch_code="tpj-u01-branch",
    )
    assert she["party_member_kind"] == "in_service"
    her = plat.http("volunteers", volunteer_token(plat, she))
    resources = plat.http("resources", plat.token("tpj-coordinator", DEMO_PASSWORD))
    start = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    rate_query = {"community_code": COMMUNITY, "start": start, "end": end}
    before = resources.get("/wishes/fulfilment-rate", params=rate_query).json()

    # The grid records the wish (the resident stays with the grid) and publishes it.
    wish = ok(resources.post("/wishes", json=WHEELCHAIR), 201)
    assert "resident_name" not in wish and "resident_contact" not in wish
    assert resources.get(f"/wishes/{wish['id']}").json()["resident_name"] == "李奶奶"
    published = resources.post(f"/wishes/{wish['id']}/publish")
    assert published.status_code == 200, published.text

    # She sees it on the public board, without the resident, and claims it as herself.
    her_resources = plat.http("resources", her.headers["Authorization"].split()[1])
    board = her_resources.get("/wishes/board", params={"community_code": COMMUNITY})
    assert board.status_code == 200, board.text
    assert wish["id"] in [w["id"] for w in board.json()]
    assert "李奶奶" not in board.text and "13900001111" not in board.text
    claimed = her_resources.post(f"/wishes/{wish['id']}/claim", json={})
    assert claimed.status_code == 200, claimed.text
    again = resources.post(
        f"/wishes/{wish['id']}/claim",
        json={"claimant_kind": "member_unit", "claimant_id": "tpj-u01"},
    )
    assert again.status_code == 409, again.text
    delivered = her_resources.post(f"/wishes/{wish['id']}/deliver", json={"note": "已送到"})
    assert delivered.status_code == 200, delivered.text
    closed = resources.post(f"/wishes/{wish['id']}/close")
    assert closed.status_code == 200, closed.text

    # resources.wish.closed travels over NATS: her passbook is credited, once.
    passbook = f"/volunteers/{she['id']}/passbook"
    book = eventually(lambda: (b := her.get(passbook).json()) and earned(b) and b)
    [credit] = earned(book)
    assert book["spendable"] == book["lifetime"] == credit["amount"] > 0

    # The same event again: with its Nats-Msg-Id (JetStream drops it), with another message
    # id (the inbox drops it), and as a new event for the same wish (the source key drops it).
    data, headers = last_message(plat, "RESOURCES", "resources.wish.closed")
    event = json.loads(data)
    assert event["data"]["wish_id"] == wish["id"]
    assert headers["Nats-Msg-Id"] == event["id"]
    plat.publish("resources.wish.closed", data, headers={"Nats-Msg-Id": event["id"]})
    plat.publish("resources.wish.closed", data, headers={"Nats-Msg-Id": f"again-{event['id']}"})
    anew = json.dumps({**event, "id": str(uuid.uuid4())}).encode()
    plat.publish("resources.wish.closed", anew, headers={"Nats-Msg-Id": f"anew-{event['id']}"})
    last = last_message(plat, "RESOURCES", "resources.wish.closed")
    assert json.loads(last[0])["id"] != event["id"]  # the two that were not dropped by NATS
    eventually(
        lambda: (
            (c := plat.consumer("RESOURCES", "volunteers_wishes")).num_pending == 0
            and c.num_ack_pending == 0
        )
    )
    book = her.get(passbook).json()
    assert earned(book) == [credit] and book["lifetime"] == credit["amount"]

    # The fulfilment rate counts it; her service record for her branch shows it.
    after = resources.get("/wishes/fulfilment-rate", params=rate_query).json()
    assert after["collected"] == before["collected"] + 1
    assert after["fulfilled"] == before["fulfilled"] + 1
    record = ok(her.get(f"/volunteers/{she['id']}/service-record", params={"period": YEAR}))
    [row] = record["rows"]
    assert row["kind"] == "micro_wish" and row["points"] == credit["amount"]
    csv = her.get(f"/volunteers/{she['id']}/service-record.csv", params={"period": YEAR})
    assert csv.status_code == 200 and "微心愿" in csv.text


def backdate_arrivals(plat: Platform, mobilisation_id: str, hours: int) -> None:
    """Time on site passes: every arrival moved `hours` back (the API records arrival as now,
    and a test does not wait three hours to clear the paths)."""

    async def move():
        conn = await asyncpg.connect(plat.database_url("volunteers"))
        try:
            raw = await conn.fetchval(
                "SELECT call_ups FROM mobilisations WHERE id = $1", uuid.UUID(mobilisation_id)
            )
            call_ups = json.loads(raw) if isinstance(raw, str) else raw
            for c in call_ups:
                if c["arrived_at"]:
                    at = datetime.fromisoformat(c["arrived_at"]) - timedelta(hours=hours)
                    c["arrived_at"] = at.isoformat()
            await conn.execute(
                "UPDATE mobilisations SET call_ups = $2::jsonb WHERE id = $1",
                uuid.UUID(mobilisation_id),
                json.dumps(call_ups),
            )
        finally:
            await conn.close()

    asyncio.run(move())


def test_snow_a_wartime_escalation_mobilises_the_grid_and_closing_pays_hours_as_points(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    # The snow is reported from a micro-grid; its people live there, one elsewhere in the grid.
    incidents = plat.http("incidents", plat.token("tpj-coordinator", DEMO_PASSWORD))
    incident = report(incidents, TRANSFORMER)
    home = incident["grid_path"]
    assert home[0] == "tpj-g01" and home[-1] == "tpj-g01-m01"
    member = register(
        plat,
        name="钱师傅",
        contact="13700003333",
        home_node_path=home,
        party_member_kind="registered",
    )
    staff = register(
        plat, name="孙经理", contact="13700004444", home_node_path=home, skills=["power_supply"]
    )
    away = register(plat, name="周阿姨", contact="13700005555", home_node_path=["tpj-g01"])
    ours = {v["id"]: v for v in (member, staff, away)}

    # The emergency is escalated (wartime): volunteers mobilises the grid in squads.
    escalated = incidents.post(f"/incidents/{incident['id']}/escalation", json=escalation())
    assert escalated.status_code == 200 and escalated.json()["status"] == "escalated"
    coordinator = plat.http("volunteers", plat.token("tpj-coordinator", DEMO_PASSWORD))
    [m] = eventually(lambda: coordinator.get("/mobilisations").json())
    assert (m["incident_id"], m["grid_code"], m["status"]) == (incident["id"], "tpj-g01", "active")
    called = {c["volunteer_id"]: c for c in m["call_ups"] if c["volunteer_id"] in ours}
    assert set(called) == set(ours)
    assert called[staff["id"]]["tier"] == called[member["id"]]["tier"] == "micro_grid"
    assert called[away["id"]]["tier"] == "grid"
    assert m["squads"] and all(q["leader_id"] for q in m["squads"])
    # Same micro-grid first, matching skills (the category) first within it.
    order = [c["volunteer_id"] for c in m["call_ups"] if c["volunteer_id"] in ours]
    assert order.index(staff["id"]) < order.index(member["id"]) < order.index(away["id"])

    # The party member answers for himself; the coordinator records the others' answers.
    his = plat.http("volunteers", volunteer_token(plat, member))
    url = f"/mobilisations/{m['id']}"
    answer = his.post(f"{url}/answers", json={"volunteer_id": member["id"], "accepted": True})
    assert answer.status_code == 200, answer.text
    not_his = his.post(f"{url}/answers", json={"volunteer_id": staff["id"], "accepted": True})
    assert not_his.status_code == 404, not_his.text
    for v, yes in ((staff, True), (away, False)):
        said = coordinator.post(f"{url}/answers", json={"volunteer_id": v["id"], "accepted": yes})
        assert said.status_code == 200, said.text
    for client, v in ((his, member), (coordinator, staff)):
        arrived = client.post(f"{url}/check-in", json={"volunteer_id": v["id"]})
        assert arrived.status_code == 200, arrived.text
    backdate_arrivals(plat, m["id"], hours=3)

    # The power company resolves it, the grid verifies, the resident is satisfied: closed.
    department = plat.dept_sim("power_supply", limit=1)
    assert department.wait(30) == 0, plat.log("incidents")
    resolved(incidents, incident["id"])
    verified = incidents.post(f"/incidents/{incident['id']}/verification", json={"note": "已清扫"})
    assert verified.status_code == 200, verified.text
    closed = incidents.post(
        f"/incidents/{incident['id']}/feedback", json={"rating": "satisfied", "comment": "路通了"}
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text

    # incidents.incident.closed: the mobilisation closes and each one's hours become points.
    done = eventually(lambda: (x := coordinator.get(url).json())["status"] == "closed" and x)
    assert done["closed_at"]

    def books():
        return {
            v["id"]: coordinator.get(f"/volunteers/{v['id']}/passbook").json()
            for v in ours.values()
        }

    paid = eventually(
        lambda: (b := books()) and all(earned(b[v["id"]]) for v in (member, staff)) and b
    )
    for v in (member, staff):
        [credit] = earned(paid[v["id"]])
        assert credit["source_key"] == f"mobilisation:{m['id']}:{v['id']}"
        assert credit["amount"] >= 3 and paid[v["id"]]["lifetime"] == credit["amount"]
    assert earned(paid[member["id"]])[0]["amount"] == earned(paid[staff["id"]])[0]["amount"]
    assert earned(paid[away["id"]]) == []  # declined: never on site, nothing paid

    # The same closing again (another message id) pays no one twice.
    data, _ = last_message(plat, "INCIDENTS", "incidents.incident.closed")
    assert json.loads(data)["data"]["incident_id"] == incident["id"]
    plat.publish(
        "incidents.incident.closed", data, headers={"Nats-Msg-Id": f"again-{uuid.uuid4()}"}
    )
    eventually(
        lambda: (
            (c := plat.consumer("INCIDENTS", "volunteers_incidents")).num_pending == 0
            and c.num_ack_pending == 0
        )
    )
    assert books() == paid
    # His own passbook shows the same: a volunteer reads his own.
    assert his.get(f"/volunteers/{member['id']}/passbook").json() == paid[member["id"]]


def test_the_points_supermarket_redeeming_leaves_the_lifetime_rank_unchanged(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    coordinator = plat.http("volunteers", plat.token("cs-coordinator", DEMO_PASSWORD))

    def changshan(name: str, contact: str) -> dict:
        body = {"community_code": "changshan", "name": name, "contact": contact}
        answer = coordinator.post("/volunteers", json={**body, "home_node_path": ["csh-g01"]})
        return ok(answer, 201)

    fitter, neighbour = changshan("耿尚彬", "13843100001"), changshan("张立春", "13843100002")
    # Ten years of sharpening knives on paper, carried into the ledger by the coordinator.
    for v, amount in ((fitter, 300), (neighbour, 200)):
        adjusted = coordinator.post(
            "/transfers/adjustments",
            json={"volunteer_id": v["id"], "amount": amount, "reason": "纸质存折结转"},
        )
        assert adjusted.status_code == 201, adjusted.text
    item = coordinator.post(
        "/shop/items",
        json={
            "community_code": "changshan",
            "name": "大米 10 斤",
            "donor_kind": "civil_affairs",
            "donor": "民政局",
            "price": 200,
            "stock": 2,
        },
    )
    assert item.status_code == 201, item.text

    # He redeems for himself at the counter: the points and the stock go in one step.
    his = plat.http("volunteers", volunteer_token(plat, fitter))
    url = f"/shop/items/{item.json()['id']}/redemptions"
    for_him = {"volunteer_id": fitter["id"], "handed_over_by": "社区超市"}
    redeemed = ok(his.post(url, json=for_him), 201)
    assert redeemed["price"] == 200 and redeemed["status"] == "redeemed"
    not_his = his.post(url, json={"volunteer_id": neighbour["id"], "handed_over_by": "社区超市"})
    assert not_his.status_code == 404, not_his.text
    book = his.get(f"/volunteers/{fitter['id']}/passbook").json()
    assert (book["spendable"], book["lifetime"]) == (100, 300)
    # Too few points left for a second bag: refused, nothing moves.
    assert (
        his.post(url, json={"volunteer_id": fitter["id"], "handed_over_by": "x"}).status_code == 409
    )
    stock = coordinator.get("/shop/items", params={"community_code": "changshan"}).json()
    assert [i["stock"] for i in stock] == [1]

    # Lifetime points rank him first still, ahead of the neighbour who spent nothing.
    board = ok(
        coordinator.get("/leaderboards", params={"community_code": "changshan", "period": YEAR})
    )
    rows = [(r["rank"], r["volunteer_id"], r["points"]) for r in board["rows"]]
    assert rows[:2] == [(1, fitter["id"], 300), (2, neighbour["id"], 200)]
    assert plat.http("volunteers").get("/ledger/reconciliation").json()["clean"] is True
