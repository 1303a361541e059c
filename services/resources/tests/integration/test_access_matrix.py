"""Each role × each resources route × an object inside and outside its scope.

Two communities: Taipingjie (inside every scope under test) and Changshan (outside); for a
liaison also another unit's offer in Taipingjie. "Allowed" means the request passed the gate (any
answer but 401, 403 or 404, never a 5xx: an allowed step on an object in the wrong state may be a
409 or 422); outside its scope an allowed role hears 404 (not 403, which would tell the object
exists); a role not allowed hears 403 or 404. A route without a row fails the first test.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lianxin.auth import Principal, Role, Scope, SigningKey, claims_for
from lianxin.messaging.streams import RESOURCES_INCIDENTS
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import upgrade
from lianxin.settings import ServiceSettings
from lianxin.testing.events import as_sent, escalation
from resources.adapters.orm import inbox, outbox
from resources.domain.common import Quarter
from resources.entrypoints.app import create_app
from resources.service_layer import offers
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

pytestmark = pytest.mark.asyncio

KEY = SigningKey.generate("matrix")
TPJ = frozenset({"taipingjie"})
ROLES = {
    "alliance_admin": Scope(alliance="tpj-alliance", communities=TPJ),
    "street_coordinator": Scope(communities=TPJ),
    "community_coordinator": Scope(communities=TPJ),
    "grid_leader": Scope(communities=TPJ, grid_nodes=frozenset({"tpj-g1"})),
    "member_unit_liaison": Scope(communities=TPJ, member_unit="tpj-u01"),
    "department_operator": Scope(department="power_supply"),
    "volunteer": Scope(communities=TPJ),
    "service": Scope(),
}
C = frozenset({"alliance_admin", "street_coordinator", "community_coordinator"})
G = C | {"grid_leader"}
L = frozenset({"member_unit_liaison"})
R = G | L | {"volunteer"}
V = frozenset({"volunteer"})

# (method, path) → (the roles allowed, what the path, query or body aims at).
TABLE: dict[tuple[str, str], tuple[frozenset[str], str]] = {
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
    ("GET", "/scorecards"): (C | L, "query"),
    ("POST", "/scorecards/{quarter}/red-black-list"): (C, "body"),
    ("GET", "/scorecards/stars/{year}"): (C | L, "query"),
    ("POST", "/scorecards/stars/{year}"): (C, "body"),
}
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/ops/outbox"),
    ("GET", "/ops/dead-letters"),
    # The operations router checks its own role (alliance admins), as in every service.
    ("POST", "/ops/dead-letters/{dead_letter_id}/replay"),
}
COMMUNITIES = ("taipingjie", "changshan")


def _token(role: str) -> str:
    principal = Principal(f"{role}-1", Role(role), ROLES[role], role)
    return KEY.sign(claims_for(principal, lifetime_seconds=600))


@pytest.fixture
async def api(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API in-process on the migrated database, without the relay, consumers or workers."""
    await asyncio.to_thread(upgrade, "resources", database)

    async def jwks() -> dict[str, Any]:
        return {"keys": [KEY.public_jwk()]}

    app = create_app(
        ServiceSettings(service_name="resources", database_url=database), lambda rt: jwks
    )
    engine = make_engine(database)
    rt = app.state.runtime
    rt.engine, rt.sessions = engine, make_session_factory(engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://resources") as client:
        client.headers["Authorization"] = f"Bearer {_token('service')}"
        yield client
    await engine.dispose()


async def _made(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


async def _world(api: httpx.AsyncClient, database: str) -> dict[str, dict[str, str]]:
    """Each community's need, offers (unit 01's, an emergency one; unit 02's), meeting, project
    with a responsibility, published wish and escalated incident, made by the platform."""
    now = datetime.now(UTC)
    world: dict[str, dict[str, str]] = {}
    for prefix, community in (("tpj", "taipingjie"), ("cs", "changshan")):
        ids: dict[str, str] = {}
        need = {
            "community_code": community,
            "grid_node_code": f"{prefix}-g1",
            "category": "elderly_care",
            "title": "老人休息处",
            "affected": "elderly residents",
            "affected_count": 12,
        }
        ids["need"] = (await _made(await api.post("/needs", json=need)))["id"]
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
            ids[f"offer_{unit}"] = (await _made(await api.post("/offers", json=offer)))["id"]
        ids["offer"] = ids["offer_u01"]
        meeting = {
            "community_code": community,
            "chair_unit_code": f"{prefix}-u01",
            "scheduled_at": (now + timedelta(hours=1)).isoformat(),
            "invited_department_codes": ["power_supply"] if prefix == "tpj" else ["police"],
        }
        ids["meeting"] = (await _made(await api.post("/meetings", json=meeting)))["id"]
        project = {
            "community_code": community,
            "title": "连心亭",
            "due_at": (now + timedelta(days=60)).isoformat(),
            "slots": 2,
        }
        ids["project"] = (await _made(await api.post("/projects", json=project)))["id"]
        given = await _made(
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
        ids["wish"] = (await _made(await api.post("/wishes", json=wish)))["id"]
        await _made(await api.post(f"/wishes/{ids['wish']}/publish"))
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
    path = template
    for name in ("need", "offer", "meeting", "project", "wish", "incident", "responsibility"):
        path = path.replace(f"{{{name}_id}}", ids[name])
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
        "/scorecards/{quarter}/red-black-list": {"community_code": community},
        "/scorecards/stars/{year}": {"community_code": community},
    }
    return path, bodies.get(template)


def _outside(role: str, template: str, world: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """The objects outside the role's scope: Changshan's; for a liaison also another unit's
    offer in its own community."""
    outside = [world["changshan"]]
    if role == "member_unit_liaison" and "{offer_id}" in template:
        outside.append({**world["taipingjie"], "offer": world["taipingjie"]["offer_u02"]})
    return outside


def _cases() -> list[tuple[str, str, frozenset[str], str]]:
    last = ("/close", "/finish", "/withdraw", "/decline", "/return")
    rows = [(m, t, allowed, target) for (m, t), (allowed, target) in TABLE.items()]
    # Reads first, endings last, so that what a test changes does not hide another's object.
    return sorted(rows, key=lambda r: ((r[0] == "GET" and 0) or 1, r[1].endswith(last), r[1]))


async def test_every_route_of_resources_has_a_row() -> None:
    routes = {
        (method.upper(), path)
        for path, operations in create_app().openapi()["paths"].items()
        for method in operations
    }
    assert routes - PUBLIC == set(TABLE), "add the route to TABLE with who may call it"


async def test_each_role_reaches_what_its_scope_allows_and_nothing_else(
    api: httpx.AsyncClient, database: str
) -> None:
    world = await _world(api, database)
    tokens = {role: {"Authorization": f"Bearer {_token(role)}"} for role in ROLES}
    wrong: list[str] = []
    for method, template, allowed, target in _cases():
        for role in ROLES:
            platform = role == "service"
            path, body = _request(method, template, target, world, world["taipingjie"])
            answer = await api.request(method, path, headers=tokens[role], json=body)
            status = answer.status_code
            passed = status not in (401, 403, 404)
            if status >= 500 or passed != (platform or role in allowed):
                wrong.append(f"{role} {method} {path} inside: {status} {answer.text[:120]}")
            if platform:
                continue
            for ids in _outside(role, template, world):
                path, body = _request(method, template, target, world, ids)
                answer = await api.request(method, path, headers=tokens[role], json=body)
                fine = (
                    answer.status_code == 404
                    if role in allowed
                    else answer.status_code in (403, 404)
                )
                if not fine:
                    text = answer.text[:120]
                    wrong.append(f"{role} {method} {path} outside: {answer.status_code} {text}")
    assert wrong == [], "\n".join(wrong)
