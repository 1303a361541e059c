"""Each role × each organisation endpoint × an object inside and outside its scope.

Two communities in different streets and alliances: Taipingjie (inside every scope under test)
and Changshan (outside). "Allowed" means the request passed the gate (any answer but 401, 403 or
404: an allowed write with a placeholder body may still be a 409 or 422); "denied" means 403, or
404 for objects the caller may not know exist.
"""

from __future__ import annotations

import httpx
import pytest

from lianxin.testing.documented import DocumentedAnswers
from organisation.entrypoints.access import RULES, Rule
from organisation.entrypoints.app import create_app

pytestmark = pytest.mark.asyncio

PLACES = [
    ("/districts", {"code": "fuling", "name": "涪陵区", "city": "重庆市"}),
    ("/districts", {"code": "nanguan", "name": "南关区", "city": "长春市"}),
    ("/streets", {"code": "dunren", "name": "敦仁街道", "district_code": "fuling"}),
    ("/streets", {"code": "tuanshan", "name": "团山街道", "district_code": "nanguan"}),
    ("/communities", {"code": "taipingjie", "name": "太平街社区", "street_code": "dunren"}),
    ("/communities", {"code": "changshan", "name": "长山花园社区", "street_code": "tuanshan"}),
]
# The object of each kind inside (Taipingjie) and outside (Changshan) the scopes under test.
OBJECTS = {
    "community": ("taipingjie", "changshan"),
    "grid_node": ("tpj-m1", "cs-m1"),
    "member_unit": ("tpj-u1", "cs-u1"),
    "party_organisation": ("tpj-branch", "cs-branch"),
    "person": ("tpj-p1", "cs-p1"),
}
PLACE_CODES = {
    "/districts": "fuling",
    "/streets": "dunren",
    "/alliances": "tpj-alliance",
    "/communities": "taipingjie",
    "/departments": "power_supply",
    "/nats-users": "",  # no object: the platform's alone
}
ROLES = {
    "alliance_admin": {"alliance": "tpj-alliance"},
    "street_coordinator": {"streets": ["dunren"]},
    "community_coordinator": {"communities": ["taipingjie"]},
    "grid_leader": {"grid_nodes": ["tpj-g1"]},
    "member_unit_liaison": {"member_unit": "tpj-u1"},
    "department_operator": {"department": "power_supply"},
    "volunteer": {"communities": ["taipingjie"]},
}
COORDINATORS = {"alliance_admin", "street_coordinator", "community_coordinator"}


async def _world(org: httpx.AsyncClient) -> None:
    for path, body in PLACES:
        (await org.post(path, json=body)).raise_for_status()
    for prefix, community in (("tpj", "taipingjie"), ("cs", "changshan")):
        for node in (
            {
                "code": f"{prefix}-g1",
                "name": "第一网格",
                "kind": "grid",
                "grid_type": "residential",
            },
            {
                "code": f"{prefix}-m1",
                "name": "1号微网格",
                "kind": "micro_grid",
                "parent_code": f"{prefix}-g1",
            },
        ):
            (
                await org.post("/grid-nodes", json={**node, "community_code": community})
            ).raise_for_status()
        for path, body in (
            (
                "/member-units",
                {
                    "code": f"{prefix}-u1",
                    "name": "派出所",
                    "kind": "party_government_organ",
                    "relation": "resident",
                },
            ),
            (
                "/party-organisations",
                {
                    "code": f"{prefix}-branch",
                    "name": "网格党支部",
                    "kind": "grid_party_branch",
                    "node_codes": [f"{prefix}-g1"],
                },
            ),
            (
                "/people",
                {
                    "code": f"{prefix}-p1",
                    "name": "王建国",
                    "node_code": f"{prefix}-m1",
                    "party_member_kind": "registered",
                },
            ),
        ):
            (await org.post(path, json={**body, "community_code": community})).raise_for_status()
        committee = {
            "secretary": {"name": "刘志远", "post": "街道驻社区领导"},
            "deputy": {"name": "何晓梅", "post": "社区党委书记"},
            "members": [],
        }
        formed = await org.post(f"/communities/{community}/big-committee", json=committee)
        formed.raise_for_status()
        (
            await org.post(
                "/alliances",
                json={"code": f"{prefix}-alliance", "name": "联盟", "community_codes": [community]},
            )
        ).raise_for_status()
    for code in ("power_supply", "police"):
        body = {"code": code, "name": code, "name_en": code, "categories": [code]}
        (await org.post("/departments", json=body)).raise_for_status()
    for role, scope in ROLES.items():
        account = {
            "username": role,
            "display_name": role,
            "role": role,
            "scope": scope,
            "secret": "secret-for-tests",
        }
        (await org.post("/accounts", json=account)).raise_for_status()


def _request(method: str, template: str, rule: Rule, inside: bool) -> tuple[str, dict]:
    """Path (with query) and JSON body aimed at the inside or outside object."""
    index = 0 if inside else 1
    if rule.access == "department":
        return template.replace("{code}", ("power_supply", "police")[index]), {}
    if rule.target is None:
        place = next(code for base, code in PLACE_CODES.items() if template.startswith(base))
        return template.replace("{code}", place), {"code": "x", "name": "x"}
    if rule.source == "path":
        return template.replace("{code}", OBJECTS[rule.target][index]), {"name": "改名"}
    community = OBJECTS["community"][index]
    if rule.source == "query":
        return f"{template}?community_code={community}", {}
    return template, {"code": f"new-{index}", "name": "新", "community_code": community}


def _expected(role: str, rule: Rule, target_inside: bool) -> bool:
    if rule.access == "platform":
        return False
    if rule.access == "places":
        return role != "department_operator"
    if rule.access == "department":
        return role != "department_operator" or target_inside
    if role == "department_operator" or not target_inside:
        return False
    return rule.access == "read" or role in COORDINATORS


def _cases() -> list[tuple[str, str, Rule]]:
    checked = [(m, t, r) for (m, t), r in RULES.items() if r.access not in ("anyone", "own_checks")]
    # Reads first, retirements last, so that what a test changes does not hide another's object.
    return sorted(checked, key=lambda c: (c[0] != "GET", c[1].endswith("/retirement"), c[1]))


async def test_every_route_of_organisation_has_an_access_rule(org: httpx.AsyncClient) -> None:
    app = create_app()
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    public = {
        ("POST", "/oauth/token"),
        ("POST", "/oauth/revoke"),
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/ops/outbox"),
        ("GET", "/ops/dead-letters"),
        # The operations router checks its own role (alliance admins), as in every service.
        ("POST", "/ops/dead-letters/{dead_letter_id}/replay"),
    }
    assert routes - public == set(RULES)


async def test_each_role_reaches_what_its_scope_allows_and_nothing_else(
    org: httpx.AsyncClient, org_token
) -> None:
    """…and every answer it gets is what the OpenAPI document says."""
    documented = DocumentedAnswers(create_app().openapi())
    org.event_hooks["response"].append(documented)
    await _world(org)
    tokens = {role: await org_token(role, "secret-for-tests") for role in ROLES}
    wrong: list[str] = []
    for method, template, rule in _cases():
        for inside in (True, False):
            path, body = _request(method, template, rule, inside)
            for role in ROLES:
                headers = {"Authorization": f"Bearer {tokens[role]}"}
                answer = await org.request(
                    method, path, headers=headers, json=body if method != "GET" else None
                )
                allowed = answer.status_code not in (401, 403, 404)
                if allowed != _expected(role, rule, inside):
                    wrong.append(f"{role} {method} {path}: {answer.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert documented.wrong == [], "\n".join(documented.wrong)
    assert documented.checked > 0


async def test_a_grid_leader_sees_only_its_own_grids(org: httpx.AsyncClient, org_token) -> None:
    await _world(org)
    node = {
        "code": "tpj-g2",
        "name": "第二网格",
        "kind": "grid",
        "grid_type": "residential",
        "community_code": "taipingjie",
    }
    (await org.post("/grid-nodes", json=node)).raise_for_status()
    headers = {"Authorization": f"Bearer {await org_token('grid_leader', 'secret-for-tests')}"}
    assert (await org.get("/grid-nodes/tpj-m1", headers=headers)).status_code == 200
    assert (await org.get("/grid-nodes/tpj-g2", headers=headers)).status_code == 404
    assert (await org.get("/grid-nodes/cs-m1", headers=headers)).status_code == 404


async def test_without_a_token_nothing_but_the_token_endpoint_and_keys_answers(
    org: httpx.AsyncClient,
) -> None:
    anonymous = {"Authorization": ""}
    assert (await org.get("/communities", headers=anonymous)).status_code == 401
    assert (await org.get("/ops/dead-letters", headers=anonymous)).status_code == 401
    assert (await org.get("/.well-known/jwks.json", headers=anonymous)).json()["keys"]


async def test_names_name_a_seen_communitys_units_to_its_readers_and_to_every_department(
    org: httpx.AsyncClient, org_token
) -> None:
    await _world(org)
    (await org.post("/member-units/cs-u1/retirement")).raise_for_status()

    async def names(role: str, community: str) -> httpx.Response:
        token = await org_token(role, "secret-for-tests")
        headers = {"Authorization": f"Bearer {token}"}
        return await org.get("/names", params={"community_code": community}, headers=headers)

    inside = await names("community_coordinator", "taipingjie")
    assert inside.status_code == 200
    assert inside.json()["member_units"] == [
        {"code": "tpj-u1", "name": "派出所", "name_en": "", "retired": False}
    ]
    assert [d["code"] for d in inside.json()["departments"]] == ["police", "power_supply"]
    assert (await names("community_coordinator", "changshan")).status_code == 404
    assert (await names("member_unit_liaison", "changshan")).status_code == 404
    # A department reads no member unit's record, but names them in any community's meeting.
    department = await names("department_operator", "changshan")
    assert department.json()["member_units"] == [
        {"code": "cs-u1", "name": "派出所", "name_en": "", "retired": True}
    ]
    assert department.json()["community"]["name"] == "长山花园社区"
    assert (await names("department_operator", "nowhere")).status_code == 404
    assert (await names("department_operator", "taipingjie")).json()["member_units"]
    headers = {"Authorization": f"Bearer {await org_token('volunteer', 'secret-for-tests')}"}
    only_departments = await org.get("/names", headers=headers)
    assert only_departments.json()["member_units"] == []
    assert only_departments.json()["community"] is None
    assert len(only_departments.json()["departments"]) == 2
    assert (await org.get("/names", headers={"Authorization": ""})).status_code == 401
