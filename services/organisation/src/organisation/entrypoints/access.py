"""Who may do what to which object in organisation: one table, checked before every route.

Each route names the object it touches (a community, a grid node, a member unit…) and whether it
reads or writes it; the rule finds the object's community (and grid path) and asks the caller's
scope. Objects outside the caller's scope are not found (404), so their existence does not leak;
a visible object the caller may not change is forbidden (403). A route without a rule is refused:
forgetting one fails closed, and a test checks that every route has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, Request

from lianxin.auth import Principal, Role, authenticated
from lianxin.errors import Forbidden, NotFound, RuleBroken, require
from organisation.entrypoints import care_api, names_api
from organisation.entrypoints.deps import uow
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork

Access = Literal["anyone", "places", "platform", "read", "write", "department", "own_checks"]
COORDINATORS = (Role.COMMUNITY_COORDINATOR, Role.STREET_COORDINATOR, Role.ALLIANCE_ADMIN)
STORES = {
    "grid_node": "grid_nodes",
    "member_unit": "member_units",
    "party_organisation": "party_organisations",
    "person": "people",
}


@dataclass(frozen=True)
class Rule:
    access: Access
    target: str | None = None  # community, grid_node, member_unit, party_organisation, person
    source: Literal["path", "query", "body"] = "path"


def _crud(base: str, target: str, create_from: Literal["body", "query"] = "body") -> dict:
    """The five routes every registered aggregate has."""
    return {
        ("POST", base): Rule("write", "community", create_from),
        ("GET", base): Rule("read", "community", "query"),
        ("GET", f"{base}/{{code}}"): Rule("read", target),
        ("PATCH", f"{base}/{{code}}"): Rule("write", target),
        ("POST", f"{base}/{{code}}/retirement"): Rule("write", target),
    }


def _places(base: str) -> dict:
    return {
        ("POST", base): Rule("platform"),
        ("GET", base): Rule("places"),
        ("GET", f"{base}/{{code}}"): Rule("places"),
        ("PATCH", f"{base}/{{code}}"): Rule("platform"),
        ("POST", f"{base}/{{code}}/retirement"): Rule("platform"),
    }


RULES: dict[tuple[str, str], Rule] = {
    **_places("/districts"),
    **_places("/streets"),
    **_places("/alliances"),
    **_places("/communities"),
    ("PATCH", "/communities/{code}"): Rule("write", "community"),
    **_crud("/member-units", "member_unit"),
    **_crud("/party-organisations", "party_organisation"),
    **_crud("/people", "person"),
    ("POST", "/communities/{code}/member-units/import"): Rule("write", "community"),
    ("POST", "/communities/{code}/party-organisations/import"): Rule("write", "community"),
    ("POST", "/communities/{code}/people/import"): Rule("write", "community"),
    ("POST", "/communities/{code}/big-committee"): Rule("write", "community"),
    ("GET", "/communities/{code}/big-committee"): Rule("read", "community"),
    ("PATCH", "/communities/{code}/big-committee"): Rule("write", "community"),
    ("POST", "/communities/{code}/big-committee/chair-terms"): Rule("write", "community"),
    ("POST", "/communities/{code}/big-committee/retirement"): Rule("write", "community"),
    ("POST", "/departments"): Rule("platform"),
    ("GET", "/departments"): Rule("places"),
    ("GET", "/departments/{code}"): Rule("department"),
    ("PATCH", "/departments/{code}"): Rule("platform"),
    ("POST", "/departments/{code}/retirement"): Rule("platform"),
    # Departments' keys: the platform's alone, like their channels (never a department's own).
    ("POST", "/departments/{code}/nats-keys"): Rule("platform"),
    ("GET", "/departments/{code}/nats-keys"): Rule("platform"),
    ("GET", "/nats-users"): Rule("platform"),
    ("POST", "/grid-nodes"): Rule("write", "community", "body"),
    ("GET", "/communities/{code}/grid-nodes"): Rule("read", "community"),
    ("POST", "/communities/{code}/grid-nodes/import"): Rule("write", "community"),
    ("GET", "/communities/{code}/serving-node"): Rule("read", "community"),
    ("GET", "/grid-nodes/{code}"): Rule("read", "grid_node"),
    ("PATCH", "/grid-nodes/{code}"): Rule("write", "grid_node"),
    ("GET", "/grid-nodes/{code}/subtree"): Rule("read", "grid_node"),
    ("GET", "/grid-nodes/{code}/path"): Rule("read", "grid_node"),
    ("GET", "/grid-nodes/{code}/posts"): Rule("read", "grid_node"),
    ("POST", "/grid-nodes/{code}/move"): Rule("write", "grid_node"),
    ("POST", "/grid-nodes/{code}/retirement"): Rule("write", "grid_node"),
    ("GET", "/me"): Rule("anyone"),
    # Accounts check the administrator's alliance themselves (identity_api).
    ("GET", "/accounts"): Rule("own_checks"),
    ("POST", "/accounts"): Rule("own_checks"),
    ("POST", "/accounts/{username}/deactivation"): Rule("own_checks"),
    ("GET", "/sign-ins"): Rule("own_checks"),  # the sign-in audit, by the same alliance rule
    # The care register checks its readers itself (service_layer/care.py), and logs each read.
    **{route: Rule("own_checks") for route in care_api.ROUTES},
    # Names for codes: departments' to anyone, a community's member units' by a rule of its own.
    **{route: Rule("own_checks") for route in names_api.ROUTES},
}


async def authorize(
    request: Request,
    principal: Principal = Depends(authenticated),
    uow: OrganisationUnitOfWork = Depends(uow),
) -> None:
    route = request.scope.get("route")
    rule = RULES.get((request.method, getattr(route, "path", "")))
    if rule is None:
        raise Forbidden("no access rule covers this route")
    if principal.is_platform or rule.access in ("anyone", "own_checks"):
        return
    if rule.access == "platform":
        raise Forbidden("only the platform may change this")
    if rule.access == "places":
        if principal.role is Role.DEPARTMENT_OPERATOR:
            raise Forbidden("a department reads only its own department")
        return
    code = request.path_params.get("code", "")
    if rule.access == "department":
        if principal.role is Role.DEPARTMENT_OPERATOR and not principal.is_department(code):
            raise NotFound("department", code)
        return
    community, path = await _whereabouts(request, rule, uow)
    visible = principal.role is not Role.DEPARTMENT_OPERATOR and (
        principal.sees_grid_node(path, community) if path else principal.sees_community(community)
    )
    if not visible:
        raise NotFound(rule.target or "object", code or community)
    if rule.access == "write" and not principal.has_role(*COORDINATORS):
        raise Forbidden(f"a {principal.role} may not change this")


async def _whereabouts(
    request: Request, rule: Rule, uow: OrganisationUnitOfWork
) -> tuple[str, list[str]]:
    """The community the object belongs to, and its grid path when it is a grid node."""
    if rule.target == "community":
        if rule.source == "path":
            return request.path_params["code"], []
        if rule.source == "query":
            code = request.query_params.get("community_code", "")
        else:
            try:
                body = await request.json()
            except ValueError as exc:  # FastAPI would say so too, but only after this check
                raise RuleBroken("body", "a JSON object is required") from exc
            code = body.get("community_code", "") if isinstance(body, dict) else ""
        # Everyone but the platform acts in a community they name: "community  does not exist"
        # (404) said nothing of the parameter left out.
        require(isinstance(code, str) and code, "community_code", "name the community")
        return code, []
    code = request.path_params["code"]
    async with uow:
        found = await getattr(uow.org, STORES[rule.target]).get(code)
    if found is None:
        raise NotFound(rule.target, code)
    path = list(found.path) if rule.target == "grid_node" else []
    return found.community_code, path
