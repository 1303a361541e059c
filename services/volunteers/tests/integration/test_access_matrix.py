"""Each role × each volunteers route × an object inside and outside its scope
(`lianxin.testing.access_matrix` says what "allowed" means and walks the table).

Two communities: Taipingjie (inside every scope under test) and Changshan (outside); for a
volunteer also another volunteer's passbook, call-up and redemption in Taipingjie. The volunteer's
token names her organisation account (`tpj-volunteer`), which her profile is linked to. A route
without a row fails the first test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lianxin.auth import Principal, Role, Scope
from lianxin.testing.access_matrix import (
    COMMUNITIES,
    COORDINATORS,
    IN_THE_COMMUNITY,
    SCOPES,
    WITH_GRID_LEADER,
    Table,
    made,
    unlisted,
    walk,
    with_ids,
)
from lianxin.testing.documented import DocumentedAnswers
from lianxin.testing.events import as_sent, escalation
from volunteers.entrypoints.app import create_app
from volunteers.service_layer.mobilising import mobilise_for_emergency

from .conftest import UowFactory, a_team_shift, bearer

pytestmark = pytest.mark.asyncio

# Short names, for the table's sake; everyone in the community reads its boards and lists.
C, G, ALL = COORDINATORS, WITH_GRID_LEADER, IN_THE_COMMUNITY
V = frozenset({"volunteer"})
ADMIN = frozenset({"alliance_admin", "service"})

# (method, path) → (the roles allowed, what the path, query or body aims at). "volunteer"
# targets are the volunteer's own for a volunteer token.
TABLE: Table = {
    ("POST", "/volunteers"): (C, "body"),
    ("GET", "/volunteers"): (G, "query"),
    ("GET", "/volunteers/{volunteer_id}"): (G | V, "volunteer"),
    ("PUT", "/volunteers/{volunteer_id}/consent"): (V, "volunteer"),
    ("POST", "/teams"): (C, "body"),
    ("GET", "/teams"): (ALL, "query"),
    ("POST", "/teams/{team_id}/members"): (C, "team"),
    ("PUT", "/teams/{team_id}/members/{volunteer_id}"): (C, "team"),
    ("DELETE", "/teams/{team_id}/members/{volunteer_id}"): (C, "team"),
    ("POST", "/activities"): (C, "body"),
    ("GET", "/activities"): (ALL, "query"),
    ("POST", "/activities/{activity_id}/shifts"): (C, "activity"),
    ("GET", "/activities/{activity_id}/shifts"): (ALL, "activity"),
    # The caller's own shifts: nothing of anyone else's to aim at.
    ("GET", "/my/shifts"): (ALL | {"department_operator"}, "none"),
    # The profile the token's account is linked to: only a volunteer's token has one.
    ("GET", "/my/volunteer"): (V, "none"),
    ("POST", "/shifts/{shift_id}/sign-ups"): (V, "shift"),
    ("DELETE", "/shifts/{shift_id}/sign-ups/mine"): (V, "shift"),
    # By the team's leader (the volunteer token is the leader's) or with the shift's code.
    ("POST", "/shifts/{shift_id}/check-in"): (V, "shift"),
    ("POST", "/shifts/{shift_id}/check-out"): (V, "shift"),
    ("POST", "/shifts/{shift_id}/no-show"): (V, "shift"),
    # Calling the whole shift off: its community's coordinators, as for scheduling it.
    ("POST", "/shifts/{shift_id}/cancellation"): (C, "shift"),
    ("GET", "/volunteers/{volunteer_id}/passbook"): (G | V, "volunteer"),
    ("POST", "/transfers/adjustments"): (C, "volunteer"),
    ("POST", "/transfers/expiries"): (C, "volunteer"),
    ("POST", "/transfers/{transfer_id}/reversal"): (C, "transfer"),
    ("GET", "/ledger/reconciliation"): (ADMIN, "none"),
    ("GET", "/rules/{community_code}"): (ALL, "community"),
    ("PUT", "/rules/{community_code}"): (ADMIN, "community"),
    ("POST", "/shop/items"): (C, "body"),
    ("GET", "/shop/items"): (ALL, "query"),
    ("POST", "/shop/items/{item_id}/stock"): (C, "item"),
    ("POST", "/shop/items/{item_id}/retirement"): (C, "item"),
    ("POST", "/shop/items/{item_id}/redemptions"): (C | V, "item"),
    ("GET", "/shop/redemptions"): (C, "query"),
    ("POST", "/shop/redemptions/{redemption_id}/cancellation"): (C, "redemption"),
    ("GET", "/volunteers/{volunteer_id}/service-record"): (G | V, "volunteer"),
    ("GET", "/volunteers/{volunteer_id}/service-record.csv"): (G | V, "volunteer"),
    ("POST", "/volunteers/{volunteer_id}/service-record/report"): (C, "volunteer"),
    ("GET", "/volunteers/{volunteer_id}/care-services"): (G | V, "volunteer"),
    ("GET", "/leaderboards"): (ALL, "query"),
    ("GET", "/figures"): (ALL, "query"),
    ("GET", "/mobilisations"): (ALL, "query"),
    ("GET", "/mobilisations/{mobilisation_id}"): (ALL, "mobilisation"),
    ("POST", "/mobilisations/{mobilisation_id}/answers"): (C | V, "mobilisation"),
    ("POST", "/mobilisations/{mobilisation_id}/check-in"): (C | V, "mobilisation"),
    ("POST", "/mobilisations/{mobilisation_id}/check-out"): (C | V, "mobilisation"),
    ("POST", "/mobilisations/{mobilisation_id}/close"): (C, "mobilisation"),
}


async def _world(api: httpx.AsyncClient, uows: UowFactory) -> dict[str, dict[str, str]]:
    """Each community's two volunteers (the first leads the team, signed up for its shift, has
    points and a redemption), team, activity, shift, adjustment, shop item and mobilisation,
    made by the platform (and the first volunteer)."""
    platform = bearer(Principal("platform", Role.SERVICE))
    world: dict[str, dict[str, str]] = {}
    for prefix, community in COMMUNITIES:
        ids: dict[str, str] = {"community": community}

        async def post(path: str, body: dict[str, Any], headers: dict[str, str] = platform) -> Any:
            return await made(await api.post(path, json=body, headers=headers))

        for key, name in (("volunteer", "王师傅"), ("other", "李阿姨")):
            ids[key] = (
                await post(
                    "/volunteers",
                    {
                        "community_code": community,
                        "name": name,
                        "contact": "13812345678",
                        "home_node_path": [f"{prefix}-g1", f"{prefix}-g1-m1"],
                        "skills": ["first_aid"],
                        "party_member_kind": "in_service",
                        "employer_unit_code": f"{prefix}-u01",
                        "employer_branch_code": f"{prefix}-u01-branch",
                        "account": f"{prefix}-{key}",
                    },
                )
            )["id"]
        activity, shift = await a_team_shift(
            api, platform, community, f"{prefix}-g1", ids["volunteer"], ids["other"], places=5
        )
        ids["team"], ids["activity"], ids["shift"] = (
            activity["team_id"],
            activity["id"],
            shift["id"],
        )
        me = bearer(
            Principal(
                f"{prefix}-volunteer", Role.VOLUNTEER, Scope(communities=frozenset({community}))
            )
        )
        await post(f"/shifts/{ids['shift']}/sign-ups", {}, me)
        adjusted = {"volunteer_id": ids["volunteer"], "amount": 100, "reason": "纸质存折"}
        ids["transfer"] = (await post("/transfers/adjustments", adjusted))["id"]
        item = {
            "community_code": community,
            "name": "大米",
            "donor_kind": "firm",
            "donor": "超市",
            "price": 10,
            "stock": 50,
        }
        ids["item"] = (await post("/shop/items", item))["id"]
        redeemed = {"volunteer_id": ids["volunteer"], "handed_over_by": "社区书记"}
        ids["redemption"] = (await post(f"/shop/items/{ids['item']}/redemptions", redeemed))["id"]
        war = escalation(community, f"{prefix}-g1-m1")
        mobilised = await mobilise_for_emergency(uows(), as_sent(war), war, "volunteers_incidents")
        assert mobilised is not None
        ids["mobilisation"] = str(mobilised.id)
        world[community] = ids
    return world


def _request(method: str, template: str, target: str, ids: dict[str, str]) -> tuple[str, Any]:
    """Path (with query) and body aimed at the objects `ids` names (one community's)."""
    community = ids["community"]
    path = with_ids(template, ids).replace("{community_code}", community)
    query: dict[str, str] = {}
    if target == "query":
        query["community_code"] = community
    if "service-record" in template or template in ("/leaderboards", "/figures"):
        query["period"] = str(datetime.now(UTC).year)
    if query:
        path = f"{path}?{httpx.QueryParams(query)}"
    if method == "GET":
        return path, None
    later = datetime.now(UTC) + timedelta(days=1)
    bodies: dict[str, dict[str, Any]] = {
        "/volunteers": {
            "community_code": community,
            "name": "新人",
            "contact": "13800000000",
            "home_node_path": ["g1"],
        },
        "/volunteers/{volunteer_id}/consent": {"consent_to_contact": True},
        "/teams": {"community_code": community, "name": "t", "kind": "patrol"},
        "/teams/{team_id}/members": {"volunteer_id": ids["other"]},
        "/teams/{team_id}/members/{volunteer_id}": {
            "volunteer_id": ids["volunteer"],
            "role": "leader",
        },
        "/activities": {
            "community_code": community,
            "node_code": "g1",
            "kind": "k",
            "title": "t",
        },
        "/activities/{activity_id}/shifts": {
            "starts_at": later.isoformat(),
            "ends_at": (later + timedelta(hours=1)).isoformat(),
            "place": "p",
            "places": 1,
        },
        "/shifts/{shift_id}/check-in": {"volunteer_id": ids["volunteer"]},
        "/shifts/{shift_id}/check-out": {"volunteer_id": ids["volunteer"]},
        "/shifts/{shift_id}/no-show": {"volunteer_id": ids["volunteer"]},
        "/shifts/{shift_id}/cancellation": {"reason": "r"},
        "/transfers/adjustments": {"volunteer_id": ids["volunteer"], "amount": 1, "reason": "r"},
        "/transfers/expiries": {"volunteer_id": ids["volunteer"], "amount": 1, "reason": "r"},
        "/transfers/{transfer_id}/reversal": {"reason": "r"},
        "/rules/{community_code}": {"default_per_hour": 10},
        "/shop/items": {
            "community_code": community,
            "name": "n",
            "donor_kind": "firm",
            "donor": "d",
            "price": 1,
            "stock": 1,
        },
        "/shop/items/{item_id}/stock": {"added": 1},
        "/shop/items/{item_id}/redemptions": {
            "volunteer_id": ids["volunteer"],
            "handed_over_by": "h",
        },
        "/shop/redemptions/{redemption_id}/cancellation": {"reason": "r"},
        "/mobilisations/{mobilisation_id}/answers": {
            "volunteer_id": ids["volunteer"],
            "accepted": True,
        },
        "/mobilisations/{mobilisation_id}/check-in": {"volunteer_id": ids["volunteer"]},
        "/mobilisations/{mobilisation_id}/check-out": {"volunteer_id": ids["volunteer"]},
    }
    return path, bodies.get(template)


# Where a volunteer acts as themself: another volunteer's is outside its scope.
OWN = {
    "/shop/items/{item_id}/redemptions",
    "/mobilisations/{mobilisation_id}/answers",
    "/mobilisations/{mobilisation_id}/check-in",
    "/mobilisations/{mobilisation_id}/check-out",
}


def _outside(
    role: str, template: str, target: str, world: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """Changshan's objects; for a volunteer also another volunteer's (passbook, call-up,
    redemption) in its own community."""
    if target == "none":
        return []
    outside = [world["changshan"]]
    if role == "volunteer" and (target == "volunteer" or template in OWN):
        tpj = world["taipingjie"]
        outside.append({**tpj, "volunteer": tpj["other"], "other": tpj["volunteer"]})
    return outside


# Removals and endings last, so that what one step changes hides nothing.
LAST = ("/close", "/cancellation", "/retirement", "/reversal", "/no-show", "/check-out")


async def test_every_route_of_volunteers_has_a_row() -> None:
    assert unlisted(create_app(), TABLE) == set(), "add the route to TABLE with who may call it"


async def test_each_role_reaches_what_its_scope_allows_and_nothing_else(
    api: httpx.AsyncClient, uows: UowFactory
) -> None:
    """…and every answer it gets is what the OpenAPI document says."""
    documented = DocumentedAnswers(create_app().openapi())
    api.event_hooks["response"].append(documented)
    world = await _world(api, uows)
    inside = world["taipingjie"]
    tokens = {
        role: bearer(Principal("tpj-volunteer" if role == "volunteer" else role, Role(role), scope))
        for role, scope in SCOPES.items()
    }
    wrong = await walk(
        api,
        TABLE,
        LAST,
        tokens,
        inside,
        _request,
        lambda role, template, target: _outside(role, template, target, world),
    )
    assert wrong == [], "\n".join(wrong)
    assert documented.wrong == [], "\n".join(documented.wrong)
    assert documented.checked > 0
