"""The grid tree, where a node's rules concern its neighbours: registering under a parent,
moving a subtree, retiring a leaf, and a community's tree in bulk (parents before children).
Updating a node's own fields goes through the common pipeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lianxin.errors import Conflict, RuleBroken
from organisation.domain.grid import GridNode, GridTree
from organisation.service_layer.handlers import absent, found, named, publish, save, utcnow
from organisation.service_layer.imports import Line, LineErrors, valid
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

DETAILS = ("households", "residents", "merchants", "grid_type", "addresses")


async def _tree(uow: UoW, community_code: str, field: str | None = None) -> GridTree:
    """The community's tree, locked: one change to a community's tree at a time."""
    if field:
        community = await named(uow.org.communities, community_code, "community", field)
    else:
        community = await found(uow.org.communities, community_code, "community")
    community.ensure_active()  # type: ignore[union-attr]
    return await uow.org.grid_tree(community, for_update=True)


async def _parent_in(uow: UoW, tree: GridTree, parent_code: str) -> None:
    """A parent must be a node of the same tree; say whether it is elsewhere or nowhere."""
    if tree.node(parent_code) is None:
        parent = await uow.org.grid_nodes.get(parent_code)
        where = "belongs to another community" if parent else "does not exist"
        raise RuleBroken("parent_code", f"grid node {parent_code} {where}")


async def register_grid_node(
    uow: UoW,
    code: str,
    name: str,
    kind: str,
    community_code: str,
    parent_code: str | None,
    **details: Any,
) -> GridNode:
    async with uow:
        await absent(uow.org.grid_nodes, code, "grid node")
        tree = await _tree(uow, community_code, "community_code")
        if parent_code:
            await _parent_in(uow, tree, parent_code)
        node = tree.add(code, name, kind, parent_code, **details)
        await uow.org.grid_nodes.add(node)
        await publish(uow, node)
        await uow.commit()
    return node


async def move_grid_node(uow: UoW, code: str, parent_code: str) -> list[GridNode]:
    """Move a node and its subtree under another parent of the same community."""
    async with uow:
        node = await found(uow.org.grid_nodes, code, "grid node", for_update=False)
        tree = await _tree(uow, node.community_code)
        await _parent_in(uow, tree, parent_code)
        moved = tree.move(code, parent_code)
        await save(uow, uow.org.grid_nodes, *moved)
    return moved


async def retire_grid_node(uow: UoW, code: str, now: datetime | None = None) -> GridNode:
    """Only a leaf of the active tree that no party organisation, person or post refers to."""
    async with uow:
        node = await found(uow.org.grid_nodes, code, "grid node", for_update=False)
        tree = await _tree(uow, node.community_code)
        node = tree.retire(code, now or utcnow())
        uses = await uow.org.in_use("grid_node", code)
        if uses:
            raise Conflict(f"grid node {code} is still in use: {', '.join(uses)}")
        await save(uow, uow.org.grid_nodes, node)
    return node


async def import_grid_tree(uow: UoW, community_code: str, lines: list[Line]) -> list[GridNode]:
    """A community's tree (or more of it) in one transaction: parents before their children,
    codes new; any bad line and nothing is written, with every error named by line and field."""
    async with uow:
        tree = await _tree(uow, community_code)
        errors = LineErrors(lines)
        taken = await uow.org.grid_nodes.exists(f["code"] for _, f in valid(lines))
        seen: dict[str, int] = {}
        added: list[GridNode] = []
        for line, fields in valid(lines):
            code, parent_code = fields["code"], fields.get("parent_code")
            if code in seen:
                detail = f"duplicate code {code}: already on line {seen[code]}"
                errors.add(line, "code", detail, failed=False)
                continue
            seen[code] = line.number
            if code in taken:
                errors.add(line, "code", f"duplicate code {code}: already registered")
                continue
            if parent_code in errors.failed:
                where = errors.failed[parent_code]
                errors.add(line, "parent_code", f"parent {parent_code} (line {where}) is invalid")
                continue
            with errors.checking(line):
                details = {k: fields[k] for k in DETAILS if fields.get(k) is not None}
                added.append(tree.add(code, fields["name"], fields["kind"], parent_code, **details))
        errors.raise_any()
        await uow.org.grid_nodes.add(*added)
        await publish(uow, *added)
        await uow.commit()
    return added
