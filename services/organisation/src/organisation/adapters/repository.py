"""Loading and saving the organisation's aggregates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from organisation.adapters.orm import communities, departments, grid_nodes
from organisation.domain.model import Community, Department, GridNode


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def community(self, code: str) -> Community | None:
        row = (
            await self.session.execute(select(communities).where(communities.c.code == code))
        ).first()
        return Community(row.code, row.name, row.street) if row else None

    async def communities(self) -> list[Community]:
        rows = await self.session.execute(select(communities).order_by(communities.c.code))
        return [Community(r.code, r.name, r.street) for r in rows]

    async def add_community(self, community: Community) -> None:
        await self.session.execute(
            communities.insert().values(
                code=community.code, name=community.name, street=community.street
            )
        )

    async def grid_node(self, code: str) -> GridNode | None:
        row = (
            await self.session.execute(select(grid_nodes).where(grid_nodes.c.code == code))
        ).first()
        return _node(row) if row else None

    async def grid_nodes(self, community_code: str) -> list[GridNode]:
        rows = await self.session.execute(
            select(grid_nodes)
            .where(grid_nodes.c.community_code == community_code)
            .order_by(grid_nodes.c.path)
        )
        return [_node(r) for r in rows]

    async def add_grid_node(self, node: GridNode) -> None:
        await self.session.execute(
            grid_nodes.insert().values(
                code=node.code,
                name=node.name,
                kind=node.kind,
                community_code=node.community_code,
                parent_code=node.parent_code,
                path=node.path,
                households=node.households,
            )
        )

    async def department(self, code: str) -> Department | None:
        row = (
            await self.session.execute(select(departments).where(departments.c.code == code))
        ).first()
        return Department(row.code, row.name, list(row.categories)) if row else None

    async def departments(self) -> list[Department]:
        rows = await self.session.execute(select(departments).order_by(departments.c.code))
        return [Department(r.code, r.name, list(r.categories)) for r in rows]

    async def add_department(self, department: Department) -> None:
        await self.session.execute(
            departments.insert().values(
                code=department.code, name=department.name, categories=department.categories
            )
        )


def _node(row) -> GridNode:
    return GridNode(
        row.code,
        row.name,
        row.kind,
        row.community_code,
        row.parent_code,
        list(row.path),
        row.households,
    )
