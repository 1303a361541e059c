"""What people and party organisations need beyond the common pipeline: the grid's posts a person
holds (one holder per post), and imports that name grid nodes, employers and leaders by code."""

from __future__ import annotations

from typing import Any

from lianxin.errors import Conflict
from organisation.domain.grid import GridNode
from organisation.service_layer.handlers import all_named
from organisation.service_layer.imports import Line, LineErrors
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

Rows = list[tuple[Line, dict[str, Any]]]


async def posts(uow: UoW, fields: dict[str, Any], person_code: str) -> dict[str, Any]:
    """The (role, node) pairs asked for, refusing a post someone else holds now (409)."""
    if "roles" not in fields:
        return {}
    roles = fields["roles"] or []
    nodes = await all_named(
        uow.org.grid_nodes, [r["node_code"] for r in roles], "grid node", "roles.node_code"
    )
    wanted = [(r["node_code"], r["role"]) for r in roles]
    for (node_code, role), holder in (await uow.org.people.holders(wanted)).items():
        if holder != person_code:
            raise Conflict(f"{role} of {node_code} is held by {holder}: vacate it first")
    return {"roles": [(r["role"], node) for r, node in zip(roles, nodes, strict=True)]}


async def _nodes(uow: UoW, community) -> dict[str, GridNode]:
    community.ensure_active()
    return (await uow.org.grid_tree(community)).nodes


def _node(
    errors: LineErrors, line: Line, nodes: dict[str, GridNode], code: str | None, field: str
) -> GridNode | None:
    if code is None:
        return None
    node = nodes.get(code)
    if node is None:
        errors.add(line, field, f"no grid node {code} in this community")
    return node


async def person_rows(uow: UoW, community, rows: Rows):
    """An import's people: their node, employer and posts, looked up once for every line."""
    nodes = await _nodes(uow, community)
    employers = await uow.org.member_units.many(
        f["employer_unit_code"] for _, f in rows if f.get("employer_unit_code")
    )
    wanted = [(r["node_code"], r["role"]) for _, f in rows for r in f.get("roles") or []]
    holders = await uow.org.people.holders(wanted)

    def objects(errors: LineErrors, line: Line, f: dict[str, Any]) -> dict[str, Any]:
        node = _node(errors, line, nodes, f.get("node_code"), "node_code")
        employer = employers.get(f.get("employer_unit_code") or "")
        if f.get("employer_unit_code") and employer is None:
            errors.add(line, "employer_unit_code", f"no member unit {f['employer_unit_code']}")
        held = []
        for role in f.get("roles") or []:
            post = (role["node_code"], role["role"])
            if post in holders:
                errors.add(line, "roles", f"{post[1]} of {post[0]} is held by {holders[post]}")
            holders.setdefault(post, f["code"])
            held.append((role["role"], _node(errors, line, nodes, post[0], "roles.node_code")))
        return {"node": node, "employer": employer, "roles": held}

    return objects


async def party_organisation_rows(uow: UoW, community, rows: Rows):
    """An import's party organisations: the nodes they cover and their leaders."""
    nodes = await _nodes(uow, community)
    leaders = await uow.org.people.many(
        f["leader_person_code"] for _, f in rows if f.get("leader_person_code")
    )

    def objects(errors: LineErrors, line: Line, f: dict[str, Any]) -> dict[str, Any]:
        covered = [_node(errors, line, nodes, c, "node_codes") for c in f["node_codes"]]
        leader = leaders.get(f.get("leader_person_code") or "")
        if f.get("leader_person_code") and leader is None:
            errors.add(line, "leader_person_code", f"no person {f['leader_person_code']}")
        return {"nodes": covered, "leader": leader}

    return objects
