"""Commands on the organisation: each one transaction, each change an event in the outbox."""

from __future__ import annotations

from dataclasses import asdict

from lianxin.contracts import org as contracts
from lianxin.problems import Conflict, Invalid
from organisation.domain import events
from organisation.domain.model import Community, Department, GridNode, RuleBroken
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork

CONTRACTS = {
    events.CommunityRegistered: contracts.CommunityRegistered,
    events.GridNodeRegistered: contracts.GridNodeRegistered,
    events.DepartmentRegistered: contracts.DepartmentRegistered,
}


async def _publish(uow: OrganisationUnitOfWork, aggregate, community: str | None) -> None:
    for event in aggregate.events:
        await uow.emit(CONTRACTS[type(event)](**asdict(event)), community=community)


async def register_community(
    uow: OrganisationUnitOfWork, code: str, name: str, street: str
) -> Community:
    async with uow:
        if await uow.org.community(code):
            raise Conflict(f"community {code} already exists")
        community = Community.register(code, name, street)
        await uow.org.add_community(community)
        await _publish(uow, community, community.code)
        await uow.commit()
    return community


async def register_grid_node(
    uow: OrganisationUnitOfWork,
    code: str,
    name: str,
    kind: str,
    community_code: str,
    parent_code: str | None,
    households: int,
) -> GridNode:
    async with uow:
        if await uow.org.grid_node(code):
            raise Conflict(f"grid node {code} already exists")
        community = await uow.org.community(community_code)
        if community is None:
            raise Invalid("community_code", f"community {community_code} does not exist")
        parent = await uow.org.grid_node(parent_code) if parent_code else None
        if parent_code and parent is None:
            raise Invalid("parent_code", f"grid node {parent_code} does not exist")
        try:
            node = GridNode.register(code, name, kind, community, parent, households)
        except RuleBroken as broken:
            raise Invalid(broken.field, str(broken)) from broken
        await uow.org.add_grid_node(node)
        await _publish(uow, node, community.code)
        await uow.commit()
    return node


async def register_department(
    uow: OrganisationUnitOfWork, code: str, name: str, categories: list[str]
) -> Department:
    async with uow:
        if await uow.org.department(code):
            raise Conflict(f"department {code} already exists")
        try:
            department = Department.register(code, name, categories)
        except RuleBroken as broken:
            raise Invalid(broken.field, str(broken)) from broken
        await uow.org.add_department(department)
        await _publish(uow, department, None)
        await uow.commit()
    return department
