"""The resources HTTP API in-process on real PostgreSQL and NATS: bad input is a 422 naming the
field (NUL bytes too), a wrong state a 409, another community's object a 404, a department
nothing; the wish board never shows the resident."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from lianxin.auth import Principal, Role, Scope, SigningKey, claims_for
from lianxin.http_clients import async_client
from lianxin.settings import ServiceSettings
from resources.domain.common import Quarter
from resources.entrypoints.app import create_app

KEY = SigningKey.generate("test-key")
TPJ = frozenset({"taipingjie"})
PEOPLE = {
    "coordinator": Principal("c", Role.COMMUNITY_COORDINATOR, Scope(communities=TPJ)),
    "other": Principal("o", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"cs"}))),
    "grid": Principal("g", Role.GRID_LEADER, Scope(communities=TPJ, grid_nodes=frozenset({"g1"}))),
    "other_grid": Principal(
        "g2", Role.GRID_LEADER, Scope(communities=TPJ, grid_nodes=frozenset({"g2"}))
    ),
    "liaison": Principal("l", Role.MEMBER_UNIT_LIAISON, Scope(communities=TPJ, member_unit="u1")),
    "department": Principal("d", Role.DEPARTMENT_OPERATOR, Scope(department="power_supply")),
}

Client = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def as_(migrated_database, nats: str) -> AsyncIterator[Client]:
    database = await migrated_database("resources")
    settings = ServiceSettings(
        service_name="resources", database_url=database, nats_url=nats, outbox_poll_seconds=0.1
    )

    async def keys() -> dict[str, Any]:
        return {"keys": [KEY.public_jwk()]}

    app = create_app(settings, signing_keys=lambda rt: keys)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        clients: list[httpx.AsyncClient] = []

        def client(who: str) -> httpx.AsyncClient:
            token = KEY.sign(claims_for(PEOPLE[who], lifetime_seconds=600))
            made = async_client(
                transport=transport,
                base_url="http://resources",
                headers={"Authorization": f"Bearer {token}"},
            )
            clients.append(made)
            return made

        yield client
        for made in clients:
            await made.aclose()


def fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [e["field"] for e in response.json()["errors"]]


WISH = {
    "community_code": "taipingjie",
    "grid_node_code": "g1",
    "title": "一辆轮椅",
    "resident_name": "李大爷",
    "resident_contact": "13900000000",
}


async def test_the_wish_board_from_record_to_close(as_: Client) -> None:
    grid, liaison = as_("grid"), as_("liaison")
    recorded = await grid.post("/wishes", json=WISH)
    assert recorded.status_code == 201, recorded.text
    wish_id = recorded.json()["id"]
    assert "李大爷" not in recorded.text
    assert (await grid.post(f"/wishes/{wish_id}/publish")).status_code == 200
    board = (await liaison.get("/wishes/board")).json()
    assert [w["id"] for w in board] == [wish_id] and "李大爷" not in str(board)
    assert (await liaison.post(f"/wishes/{wish_id}/claim", json={})).status_code == 200
    again = await as_("coordinator").post(
        f"/wishes/{wish_id}/claim", json={"claimant_kind": "member_unit", "claimant_id": "u2"}
    )
    assert again.status_code == 409 and "u1" in again.json()["detail"]
    delivered = await liaison.post(f"/wishes/{wish_id}/deliver", json={"note": "送到家"})
    assert delivered.status_code == 200
    assert (await grid.post(f"/wishes/{wish_id}/close")).json()["status"] == "closed"
    assert (await grid.get(f"/wishes/{wish_id}")).json()["resident_name"] == "李大爷"
    assert (await liaison.get(f"/wishes/{wish_id}")).status_code == 403
    other_grid = await as_("other_grid").get(f"/wishes/{wish_id}")
    assert other_grid.status_code == 200 and other_grid.json()["grid_node_code"] == "g1"
    assert "李大爷" not in other_grid.text and "13900000000" not in other_grid.text
    coordinator = (await as_("coordinator").get(f"/wishes/{wish_id}")).json()
    assert coordinator["resident_contact"] == "13900000000"
    start = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    rate = await grid.get(
        "/wishes/fulfilment-rate",
        params={"community_code": "taipingjie", "start": start, "end": end},
    )
    assert rate.json()["percent"] == "100.0"


async def test_bad_input_names_the_field_and_wrong_state_is_409(as_: Client) -> None:
    grid = as_("grid")
    assert fields(await grid.post("/wishes", json={**WISH, "title": ""})) == ["title"]
    assert fields(await grid.post("/wishes", json={**WISH, "title": "a\x00b"})) == ["title"]
    assert fields(await grid.post("/wishes", json={**WISH, "title": "x" * 201})) == ["title"]
    need = {
        "community_code": "taipingjie",
        "grid_node_code": "g1",
        "category": "c",
        "title": "t",
        "affected": "a",
        "affected_count": 0,
    }
    assert fields(await grid.post("/needs", json=need)) == ["affected_count"]
    wish_id = (await grid.post("/wishes", json=WISH)).json()["id"]
    closing = await grid.post(f"/wishes/{wish_id}/close")
    assert closing.status_code == 409
    assert closing.headers["content-type"] == "application/problem+json"


async def test_scope_outside_is_404_and_departments_see_nothing(as_: Client) -> None:
    grid = as_("grid")
    wish_id = (await grid.post("/wishes", json=WISH)).json()["id"]
    assert (await as_("other").post(f"/wishes/{wish_id}/publish")).status_code == 404
    assert (await as_("other").get("/needs?community_code=taipingjie")).status_code == 404
    assert (await as_("department").get("/wishes/board")).status_code == 403
    assert (await as_("department").post(f"/wishes/{wish_id}/publish")).status_code == 404


async def test_a_need_from_an_incident_is_recorded_by_a_coordinator(as_: Client) -> None:
    need = {
        "community_code": "taipingjie",
        "grid_node_code": "g1",
        "category": "flood",
        "title": "排水",
        "affected": "residents",
        "affected_count": 80,
        "source_incident_id": "0190f0c8-6a2b-7c3d-8e4f-5a6b7c8d9e0f",
    }
    assert (await as_("grid").post("/needs", json=need)).status_code == 403
    made = await as_("coordinator").post("/needs", json=need)
    assert made.status_code == 201 and made.json()["source"] == "incident"
    assert (await as_("coordinator").post("/needs", json=need)).status_code == 409
    listed = (await as_("coordinator").get("/needs")).json()
    assert [n["source_incident_id"] for n in listed] == [need["source_incident_id"]]


async def test_story_8_over_http_meeting_project_claims_scorecards(as_: Client) -> None:
    coordinator, liaison, grid = as_("coordinator"), as_("liaison"), as_("grid")
    now = datetime.now(UTC)
    need = await grid.post(
        "/needs",
        json={
            "community_code": "taipingjie",
            "grid_node_code": "g1",
            "category": "elderly_care",
            "title": "老人休息处",
            "affected": "elderly residents",
            "affected_count": 120,
        },
    )
    assert need.status_code == 201, need.text
    offer = await liaison.post(
        "/offers",
        json={
            "community_code": "taipingjie",
            "kind": "expertise",
            "title": "施工队",
            "quantity": 10,
            "unit": "people",
            "available_from": now.isoformat(),
            "categories": ["elderly_care"],
        },
    )
    assert offer.status_code == 201 and offer.json()["member_unit_code"] == "u1"
    [best] = (await coordinator.get(f"/needs/{need.json()['id']}/suggestions")).json()
    assert best["offer_id"] == offer.json()["id"] and best["score"] > 0
    stale = await coordinator.get(
        "/offers/stale", params={"community_code": "taipingjie", "member_unit_codes": ["u2"]}
    )
    assert [s["member_unit_code"] for s in stale.json()] == ["u2"]

    meeting = await coordinator.post(
        "/meetings",
        json={
            "community_code": "taipingjie",
            "chair_unit_code": "u1",
            "scheduled_at": (now + timedelta(hours=1)).isoformat(),
        },
    )
    mid = meeting.json()["id"]
    agenda = (await coordinator.post(f"/meetings/{mid}/agenda")).json()["agenda"]
    assert [n["need_id"] for n in agenda["needs"]] == [need.json()["id"]]
    due = (now + timedelta(days=60)).isoformat()
    decided = await coordinator.post(
        f"/meetings/{mid}/decisions/projects",
        json={"title": "连心亭", "need_ids": [need.json()["id"]], "due_at": due, "slots": 2},
    )
    project_id = decided.json()["decisions"][0]["project_id"]
    early = await coordinator.post(f"/meetings/{mid}/close")
    assert early.status_code == 422 and fields(early) == ["minutes"]
    await coordinator.put(f"/meetings/{mid}/attendance", json={"units_present": ["u1", "u2"]})
    await coordinator.put(f"/meetings/{mid}/minutes", json={"minutes": "决定建连心亭"})
    closed = await coordinator.post(f"/meetings/{mid}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert (await coordinator.post(f"/meetings/{mid}/close")).status_code == 409

    claimed = await liaison.post(f"/projects/{project_id}/claims", json={})
    assert claimed.status_code == 200 and claimed.json()["slots_left"] == 1
    assert (await liaison.post(f"/projects/{project_id}/claims", json={})).status_code == 409
    progress = await liaison.post(
        f"/projects/{project_id}/progress", json={"note": "地基完成", "percent_done": 40}
    )
    assert progress.json()["percent_done"] == 40
    assert (await coordinator.post(f"/projects/{project_id}/finish")).status_code == 200
    rated = await coordinator.post(
        f"/projects/{project_id}/ratings", json={"rater_key": "household-1", "rating": 5}
    )
    assert rated.json()["mean_rating"] == 5
    quarter = str(Quarter.of(now))  # China time, as the scorecards count
    cards = await coordinator.get(
        "/scorecards", params={"community_code": "taipingjie", "quarter": quarter}
    )
    assert "u1" in cards.json()["red"], cards.text
    published = await coordinator.post(
        f"/scorecards/{quarter}/red-black-list", json={"community_code": "taipingjie"}
    )
    assert published.status_code == 200 and "u1" in published.json()["red"]
    year = Quarter.of(now).year
    stars = await coordinator.get(f"/scorecards/stars/{year}?community_code=taipingjie")
    assert stars.json()[0]["member_unit_code"] == "u1"


# `GET /feedback`: the feedback list between meetings, from the last closed meeting's decisions and
# the projects and needs as they are now (added for the console's 反馈清单 page).
FEEDBACK_NEED = {
    "community_code": "taipingjie",
    "grid_node_code": "g1",
    "category": "elderly_care",
    "title": "老人休息处",
    "affected": "elderly residents",
    "affected_count": 12,
}


async def test_the_feedback_list_follows_the_last_closed_meetings_decisions(as_: Client) -> None:
    coordinator, liaison = as_("coordinator"), as_("liaison")
    before = await coordinator.get("/feedback", params={"community_code": "taipingjie"})
    assert before.status_code == 200, before.text
    assert before.json() == {"community_code": "taipingjie", "meeting": None, "items": []}

    now = datetime.now(UTC)
    kept = (await coordinator.post("/needs", json=FEEDBACK_NEED)).json()
    music = {**FEEDBACK_NEED, "title": "广场舞音响"}
    refused = (await coordinator.post("/needs", json=music)).json()
    meeting = (
        await coordinator.post(
            "/meetings",
            json={
                "community_code": "taipingjie",
                "chair_unit_code": "u1",
                "scheduled_at": (now + timedelta(hours=1)).isoformat(),
            },
        )
    ).json()
    path = f"/meetings/{meeting['id']}"
    assert (await coordinator.post(f"{path}/agenda")).status_code == 200
    assert (await coordinator.put(f"{path}/attendance", json={"units_present": ["u1"]})).is_success
    decided = await coordinator.post(
        f"{path}/decisions/projects",
        json={
            "title": "连心亭",
            "need_ids": [kept["id"]],
            "due_at": (now + timedelta(days=60)).isoformat(),
        },
    )
    assert decided.status_code == 200, decided.text
    declined = await coordinator.post(
        f"{path}/decisions/declines", json={"need_id": refused["id"], "reason": "不在职责内"}
    )
    assert declined.status_code == 200, declined.text
    assert (await coordinator.put(f"{path}/minutes", json={"minutes": "纪要"})).is_success
    assert (await coordinator.post(f"{path}/close")).status_code == 200

    listed = await liaison.get("/feedback", params={"community_code": "taipingjie"})
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["meeting"]["id"] == meeting["id"]
    states = {i["decision"]: i["state"] for i in body["items"]}
    assert states == {"project_created": "not_claimed", "need_declined": "declined"}

    # A claim moves the project's line on without another meeting.
    project_id = next(i["subject_id"] for i in body["items"] if i["decision"] == "project_created")
    claimed = await liaison.post(f"/projects/{project_id}/claims", json={})
    assert claimed.status_code == 200, claimed.text
    again = (await liaison.get("/feedback", params={"community_code": "taipingjie"})).json()
    assert {i["state"] for i in again["items"]} == {"on_track", "declined"}

    outside = await coordinator.get("/feedback", params={"community_code": "cs"})
    assert outside.status_code == 404
    department = await as_("department").get("/feedback", params={"community_code": "taipingjie"})
    assert department.status_code in (403, 404)


def _need(title: str, category: str) -> dict[str, Any]:
    return {
        "community_code": "taipingjie",
        "grid_node_code": "g1",
        "category": category,
        "title": title,
        "affected": "3号楼的老人",
        "affected_count": 12,
    }


async def test_a_list_is_searched_filtered_and_paged_within_the_callers_scope(
    as_: Client,
) -> None:
    coordinator = as_("coordinator")
    for title, category in (
        ("加装扶手", "elderly"),
        ("楼道照明", "lighting"),
        ("老人助餐", "elderly"),
    ):
        assert (await coordinator.post("/needs", json=_need(title, category))).status_code == 201
    searched = await coordinator.get("/needs", params={"q": "扶手"})
    assert [n["title"] for n in searched.json()] == ["加装扶手"]
    assert searched.headers["x-total-count"] == "1"
    filtered = await coordinator.get("/needs", params={"category": "elderly", "status": "open"})
    assert {n["title"] for n in filtered.json()} == {"加装扶手", "老人助餐"}
    everything = (await coordinator.get("/needs")).json()  # newest first, all without a limit
    assert [n["title"] for n in everything] == ["老人助餐", "楼道照明", "加装扶手"]
    second = await coordinator.get("/needs", params={"limit": 1, "offset": 1})
    assert [n["title"] for n in second.json()] == ["楼道照明"]
    assert second.headers["x-total-count"] == "3"
    today = datetime.now(UTC).astimezone(timezone(timedelta(hours=8))).date()
    later = (today + timedelta(days=1)).isoformat()
    assert (await coordinator.get("/needs", params={"from": later})).json() == []
    assert len((await coordinator.get("/needs", params={"to": today.isoformat()})).json()) == 3
    # Another community's coordinator finds nothing of it, whatever the search.
    assert (await as_("other").get("/needs", params={"q": "扶手"})).json() == []
    await as_("grid").post("/wishes", json=WISH)
    assert len((await as_("grid").get("/wishes", params={"q": "轮椅"})).json()) == 1
    assert (await as_("grid").get("/wishes", params={"q": "冰箱"})).json() == []


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/needs", "status=lost", "status"),
        ("/needs", "limit=0", "limit"),
        ("/needs", "limit=501", "limit"),
        ("/needs", "offset=-1", "offset"),
        ("/needs", "from=yesterday", "from"),
        ("/needs", "to=0", "to"),
        ("/needs", "offset=9999999999999999999", "offset"),
        ("/offers", "kind=castle", "kind"),
        ("/wishes", "status=granted", "status"),
        ("/projects", "state=late", "state"),
        ("/responsibilities", "to=2026-13-01", "to"),
        ("/feedback?community_code=taipingjie", "decision=maybe", "decision"),
        ("/meetings", "q=" + "x" * 201, "q"),
    ],
)
async def test_a_bad_search_value_is_a_422_naming_it(
    as_: Client, path: str, query: str, field: str
) -> None:
    joined = "&" if "?" in path else "?"
    assert fields(await as_("coordinator").get(f"{path}{joined}{query}")) == [field]
