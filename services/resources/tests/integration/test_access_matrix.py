"""Each role × each resources route × an object inside and outside its scope
(`lianxin.testing.access_matrix` says what "allowed" means and walks the table).

Two communities: Taipingjie (inside every scope under test) and Changshan (outside); for a
liaison also another unit's offer in Taipingjie. A route without a row fails the first test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lianxin.auth import Principal, Role, SigningKey, claims_for
from lianxin.messaging.streams import RESOURCES_INCIDENTS
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.testing.access_matrix import (
    COMMUNITIES,
    COORDINATORS,
    IN_THE_COMMUNITY,
    SCOPES,
    WITH_GRID_LEADER,
    Table,
    in_process,
    made,
    unlisted,
    walk,
    with_ids,
)
from lianxin.testing.documented import DocumentedAnswers
from lianxin.testing.events import as_sent, escalation
from resources.adapters.orm import inbox, outbox
from resources.domain.common import Quarter
from resources.entrypoints.app import create_app
from resources.service_layer import offers
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

pytestmark = pytest.mark.asyncio

KEY = SigningKey.generate("matrix")
# Short names, for the table's sake.
C, G, R = COORDINATORS, WITH_GRID_LEADER, IN_THE_COMMUNITY
L = frozenset({"member_unit_liaison"})
V = frozenset({"volunteer"})

# (method, path) → (the roles allowed, what the path, query or body aims at).
TABLE: Table = {
    ("POST", "/needs"): (G, "body"),
    ("GET", "/needs"): (R, "query"),
    ("GET", "/needs/{need_id}"): (R, "need"),
    ("GET", "/needs/{need_id}/suggestions"): (C, "need"),
    ("POST", "/needs/{need_id}/match"): (C, "need"),
    ("POST", "/needs/{need_id}/meet"): (C, "need"),
    ("POST", "/needs/{need_id}/decline"): (C, "need"),
    ("POST", "/offers"): (C | L, "body"),
    ("GET", "/offers"): (C | L, "query"),
    ("GET", "/offers/stale"): (C | L, "query"),
    ("POST", "/offers/{offer_id}/refresh"): (C | L, "offer"),
    ("POST", "/offers/{offer_id}/withdraw"): (C | L, "offer"),
    ("POST", "/offers/{offer_id}/use"): (C | L, "offer"),
    ("GET", "/incidents/{incident_id}/emergency-offers"): (C, "incident"),
    ("POST", "/incidents/{incident_id}/emergency-offers/{offer_id}/use"): (C, "incident"),
    ("POST", "/meetings"): (C, "body"),
    ("GET", "/meetings"): (C | L, "query"),
    # A department sees a meeting it was invited to (Taipingjie's invites power_supply).
    ("GET", "/meetings/{meeting_id}"): (C | L | {"department_operator"}, "meeting"),
    ("POST", "/meetings/{meeting_id}/agenda"): (C, "meeting"),
    ("PUT", "/meetings/{meeting_id}/attendance"): (C, "meeting"),
    ("POST", "/meetings/{meeting_id}/decisions/projects"): (C, "meeting"),
    ("POST", "/meetings/{meeting_id}/decisions/responsibilities"): (C, "meeting"),
    ("POST", "/meetings/{meeting_id}/decisions/declines"): (C, "meeting"),
    ("PUT", "/meetings/{meeting_id}/minutes"): (C, "meeting"),
    ("POST", "/meetings/{meeting_id}/close"): (C, "meeting"),
    ("POST", "/projects"): (C, "body"),
    ("GET", "/projects"): (R, "query"),
    ("GET", "/projects/{project_id}"): (R, "project"),
    ("POST", "/projects/{project_id}/claims"): (C | L, "project"),
    ("POST", "/projects/{project_id}/responsibilities"): (C, "project"),
    ("POST", "/projects/{project_id}/milestones"): (C, "project"),
    ("POST", "/projects/{project_id}/progress"): (C | L, "project"),
    ("POST", "/projects/{project_id}/finish"): (C, "project"),
    ("POST", "/projects/{project_id}/ratings"): (C, "project"),
    ("POST", "/projects/{project_id}/responsibilities/{responsibility_id}/complete"): (
        C | L,
        "project",
    ),
    ("GET", "/responsibilities"): (R, "query"),
    ("GET", "/claims/flags"): (C, "query"),
    ("GET", "/feedback"): (C | L, "query"),
    ("POST", "/wishes"): (G, "body"),
    ("GET", "/wishes"): (G, "query"),
    ("GET", "/wishes/board"): (R, "query"),
    ("GET", "/wishes/raised"): (G, "query"),
    ("GET", "/wishes/fulfilment-rate"): (R, "query"),
    ("GET", "/wishes/{wish_id}"): (G, "wish"),
    ("POST", "/wishes/{wish_id}/publish"): (G, "wish"),
    ("POST", "/wishes/{wish_id}/claim"): (C | L | V, "wish"),
    ("POST", "/wishes/{wish_id}/deliver"): (C | L | V, "wish"),
    ("POST", "/wishes/{wish_id}/return"): (G, "wish"),
    ("POST", "/wishes/{wish_id}/close"): (G, "wish"),
    ("POST", "/wishes/{wish_id}/withdraw"): (G, "wish"),
    # Residents' deliberation: held and recorded by the grid's keepers (a grid leader: building
    # and area meetings of its own grid), read by them and the units' liaisons.
    ("POST", "/deliberations"): (G, "body"),
    ("GET", "/deliberations"): (G | L, "query"),
    ("GET", "/deliberations/figures"): (G | L, "query"),
    ("GET", "/deliberations/{deliberation_id}"): (G | L, "deliberation"),
    ("PUT", "/deliberations/{deliberation_id}/agenda"): (G, "deliberation"),
    ("PUT", "/deliberations/{deliberation_id}/attendance"): (G, "deliberation"),
    ("POST", "/deliberations/{deliberation_id}/items"): (G, "deliberation"),
    ("POST", "/deliberations/{deliberation_id}/items/{number}/need"): (G, "deliberation"),
    ("POST", "/deliberations/{deliberation_id}/items/{number}/incident"): (G, "deliberation"),
    ("POST", "/deliberations/{deliberation_id}/items/{number}/resolution"): (G, "deliberation"),
    ("PUT", "/deliberations/{deliberation_id}/minutes"): (G, "deliberation"),
    ("POST", "/deliberations/{deliberation_id}/close"): (G, "deliberation"),
    # An incident is incidents' object: this read answers what of it the caller's communities
    # deliberated (nothing for another community's), so it has no outside here.
    ("GET", "/incidents/{incident_id}/deliberations"): (G | L, "incident"),
    ("GET", "/scorecards"): (C | L, "query"),
    ("POST", "/scorecards/{quarter}/red-black-list"): (C, "body"),
    ("GET", "/scorecards/stars/{year}"): (C | L, "query"),
    ("POST", "/scorecards/stars/{year}"): (C, "body"),
}
LAST = ("/close", "/finish", "/withdraw", "/decline", "/return")


def _token(role: str) -> str:
    principal = Principal(f"{role}-1", Role(role), SCOPES[role], role)
    return KEY.sign(claims_for(principal, lifetime_seconds=600))


@pytest.fixture
async def api(migrated_database) -> AsyncIterator[httpx.AsyncClient]:
    database = await migrated_database("resources")
    async with in_process(create_app, "resources", database, KEY) as client:
        client.headers["Authorization"] = f"Bearer {_token('service')}"
        yield client


async def _world(api: httpx.AsyncClient, database: str) -> dict[str, dict[str, str]]:
    """Each community's need, offers (unit 01's, an emergency one; unit 02's), meeting, project
    with a responsibility, published wish and escalated incident, made by the platform."""
    now = datetime.now(UTC)
    world: dict[str, dict[str, str]] = {}
    for prefix, community in COMMUNITIES:
        ids: dict[str, str] = {}
        need = {
            "community_code": community,
            "grid_node_code": f"{prefix}-g1",
            "category": "elderly_care",
            "title": "老人休息处",
            "affected": "elderly residents",
            "affected_count": 12,
        }
        ids["need"] = (await made(await api.post("/needs", json=need)))["id"]
        for unit in ("u01", "u02"):
            offer = {
                "community_code": community,
                "member_unit_code": f"{prefix}-{unit}",
                "kind": "vehicle",
                "title": "货车",
                "quantity": 5,
                "unit": "vehicles",
                "available_from": (now - timedelta(days=1)).isoformat(),
                "emergency_available": True,
                "categories": ["elderly_care"],
            }
            ids[f"offer_{unit}"] = (await made(await api.post("/offers", json=offer)))["id"]
        ids["offer"] = ids["offer_u01"]
        meeting = {
            "community_code": community,
            "chair_unit_code": f"{prefix}-u01",
            "scheduled_at": (now + timedelta(hours=1)).isoformat(),
            "invited_department_codes": ["power_supply"] if prefix == "tpj" else ["police"],
        }
        ids["meeting"] = (await made(await api.post("/meetings", json=meeting)))["id"]
        project = {
            "community_code": community,
            "title": "连心亭",
            "due_at": (now + timedelta(days=60)).isoformat(),
            "slots": 2,
        }
        ids["project"] = (await made(await api.post("/projects", json=project)))["id"]
        given = await made(
            await api.post(
                f"/projects/{ids['project']}/responsibilities",
                json={
                    "holder_code": f"{prefix}-u01",
                    "task": "施工",
                    "due_at": (now + timedelta(days=30)).isoformat(),
                },
            )
        )
        ids["responsibility"] = given["responsibilities"][0]["id"]
        wish = {
            "community_code": community,
            "grid_node_code": f"{prefix}-g1",
            "title": "一辆轮椅",
            "resident_name": "李大爷",
            "resident_contact": "13900000000",
        }
        ids["wish"] = (await made(await api.post("/wishes", json=wish)))["id"]
        await made(await api.post(f"/wishes/{ids['wish']}/publish"))
        deliberation = {
            "community_code": community,
            "kind": "bench_meeting",
            "grid_node_code": f"{prefix}-g1",
            "topic": "楼道堆物",
            "held_at": now.isoformat(),
        }
        # Taipingjie's is its grid leader's (a grid leader records only its grid's meetings).
        holder = {"Authorization": f"Bearer {_token('grid_leader')}"} if prefix == "tpj" else {}
        held = await api.post("/deliberations", json=deliberation, headers=holder)
        ids["deliberation"] = (await made(held))["id"]
        item = {"text": "清理楼道"}
        await made(await api.post(f"/deliberations/{ids['deliberation']}/items", json=item))
        war = escalation(community, f"{prefix}-g1-m1")
        engine = make_engine(database)
        uow = ResourcesUnitOfWork(
            make_session_factory(engine),
            source="/lianxin/resources",
            outbox=outbox,
            inbox=inbox,
        )
        await offers.offer_for_emergency(uow, as_sent(war), war, RESOURCES_INCIDENTS.durable)
        await engine.dispose()
        ids["incident"] = str(war.incident_id)
        world[community] = ids
    return world


def _request(
    method: str, template: str, target: str, world: dict[str, dict[str, str]], ids: dict[str, str]
) -> tuple[str, dict[str, Any] | None]:
    """Path (with query) and body aimed at the object `ids` names (one community's)."""
    now = datetime.now(UTC)
    community = next(c for c, w in world.items() if w["need"] == ids["need"])
    path = with_ids(template, ids).replace("{number}", "1")
    quarter = Quarter.of(now)
    path = path.replace("{quarter}", str(quarter)).replace("{year}", str(quarter.year))
    if target == "query":
        query = {"community_code": community}
        if template == "/claims/flags":
            query["year"] = str(quarter.year)
        if template == "/wishes/fulfilment-rate":
            query["start"] = (now - timedelta(days=1)).isoformat()
            query["end"] = (now + timedelta(days=1)).isoformat()
        if template == "/scorecards":
            query["quarter"] = str(quarter)
        path = f"{path}?{httpx.QueryParams(query)}"
    if method == "GET":
        return path, None
    later = (now + timedelta(days=30)).isoformat()
    bodies: dict[str, dict[str, Any]] = {
        "/needs": {
            "community_code": community,
            "grid_node_code": "g1",
            "category": "c",
            "title": "t",
            "affected": "a",
            "affected_count": 1,
        },
        "/needs/{need_id}/match": {"resource_offer_ids": [ids["offer"]]},
        "/needs/{need_id}/meet": {"note": "办好了"},
        "/needs/{need_id}/decline": {"reason": "不在职责内"},
        "/offers": {
            "community_code": community,
            "member_unit_code": "tpj-u01",
            "kind": "goods",
            "title": "t",
            "quantity": 1,
            "unit": "box",
            "available_from": now.isoformat(),
        },
        "/offers/{offer_id}/refresh": {"quantity_left": 4},
        "/offers/{offer_id}/use": {"quantity": 1, "purpose": "p"},
        "/incidents/{incident_id}/emergency-offers/{offer_id}/use": {"quantity": 1, "purpose": "p"},
        "/meetings": {
            "community_code": community,
            "chair_unit_code": "u",
            "scheduled_at": later,
        },
        "/meetings/{meeting_id}/attendance": {"units_present": ["tpj-u01"]},
        "/meetings/{meeting_id}/decisions/projects": {
            "title": "t",
            "need_ids": [ids["need"]],
            "due_at": later,
        },
        "/meetings/{meeting_id}/decisions/responsibilities": {
            "project_id": ids["project"],
            "holder_code": "tpj-u01",
            "task": "t",
            "due_at": later,
        },
        "/meetings/{meeting_id}/decisions/declines": {"need_id": ids["need"], "reason": "r"},
        "/meetings/{meeting_id}/minutes": {"minutes": "纪要"},
        "/projects": {"community_code": community, "title": "t", "due_at": later},
        "/projects/{project_id}/claims": {},
        "/projects/{project_id}/responsibilities": {
            "holder_code": "h",
            "task": "t",
            "due_at": later,
        },
        "/projects/{project_id}/milestones": {"title": "t", "due_at": later},
        "/projects/{project_id}/progress": {"note": "n", "percent_done": 10},
        "/projects/{project_id}/ratings": {"rater_key": "household-1", "rating": 5},
        "/wishes": {
            "community_code": community,
            "grid_node_code": "g1",
            "title": "t",
            "resident_name": "n",
            "resident_contact": "c",
        },
        "/wishes/{wish_id}/claim": {},
        "/wishes/{wish_id}/deliver": {},
        "/wishes/{wish_id}/return": {"reason": "r"},
        "/wishes/{wish_id}/withdraw": {"reason": "r"},
        "/deliberations": {
            "community_code": community,
            "kind": "bench_meeting",
            "grid_node_code": "tpj-g1" if community == "taipingjie" else "cs-g1",
            "topic": "t",
            "held_at": now.isoformat(),
        },
        "/deliberations/{deliberation_id}/agenda": {"agenda": ["议程"]},
        "/deliberations/{deliberation_id}/attendance": {"households": ["h-101"]},
        "/deliberations/{deliberation_id}/items": {"text": "t"},
        "/deliberations/{deliberation_id}/items/{number}/need": {
            "category": "c",
            "affected": "a",
            "affected_count": 1,
        },
        "/deliberations/{deliberation_id}/items/{number}/incident": {
            "incident_id": ids["incident"]
        },
        "/deliberations/{deliberation_id}/items/{number}/resolution": {"settlement": "s"},
        "/deliberations/{deliberation_id}/minutes": {"minutes": "纪要"},
        "/scorecards/{quarter}/red-black-list": {"community_code": community},
        "/scorecards/stars/{year}": {"community_code": community},
    }
    return path, bodies.get(template)


def _outside(role: str, template: str, world: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """The objects outside the role's scope: Changshan's; for a liaison also another unit's
    offer in its own community."""
    if template == "/incidents/{incident_id}/deliberations":
        return []
    outside = [world["changshan"]]
    if role == "member_unit_liaison" and "{offer_id}" in template:
        outside.append({**world["taipingjie"], "offer": world["taipingjie"]["offer_u02"]})
    return outside


async def test_every_route_of_resources_has_a_row() -> None:
    assert unlisted(create_app(), TABLE) == set(), "add the route to TABLE with who may call it"


async def test_each_role_reaches_what_its_scope_allows_and_nothing_else(
    api: httpx.AsyncClient, database: str
) -> None:
    """…and every answer it gets is what the OpenAPI document says."""
    documented = DocumentedAnswers(create_app().openapi())
    api.event_hooks["response"].append(documented)
    world = await _world(api, database)
    tokens = {role: {"Authorization": f"Bearer {_token(role)}"} for role in SCOPES}
    wrong = await walk(
        api,
        TABLE,
        LAST,
        tokens,
        world["taipingjie"],
        lambda method, template, target, ids: _request(method, template, target, world, ids),
        lambda role, template, target: _outside(role, template, world),
    )
    assert wrong == [], "\n".join(wrong)
    assert documented.wrong == [], "\n".join(documented.wrong)
    assert documented.checked > len(TABLE)
