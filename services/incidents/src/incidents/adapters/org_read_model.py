"""The read models incidents keeps of the organisation, from ORG events alone."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import alliances, communities, departments, grid_nodes


class OrganisationReadModel:
    """Communities, departments and grid nodes as the ORG stream told us.

    Each event carries its aggregate's whole state and version: a row is replaced only by a newer
    version, so redeliveries, out-of-order retries and a replay from the stream's start all leave
    the same rows.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    TABLES: ClassVar[dict[str, Table]] = {
        "alliance": alliances,
        "community": communities,
        "department": departments,
        "grid_node": grid_nodes,
    }

    async def apply(self, aggregate: str, state: dict[str, Any]) -> None:
        """Upsert the aggregate's state unless the row already has this version or a newer one."""
        table = self.TABLES[aggregate]
        row = {c.name: state[c.name] for c in table.c}
        statement = insert(table).values(**row)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.code],
                set_={name: statement.excluded[name] for name in row if name != "code"},
                where=table.c.version < statement.excluded.version,
            )
        )

    async def alliance_of(self, community_code: str) -> str | None:
        return await self.session.scalar(
            select(alliances.c.code)
            .where(
                alliances.c.community_codes.contains([community_code]),
                alliances.c.retired_at.is_(None),
            )
            .order_by(alliances.c.code)
            .limit(1)
        )

    async def alliance_partners(self, community_code: str) -> list:
        """The live communities that share a live alliance with this one (not itself): those
        its incidents may be shared with for joint handling."""
        alliance_codes = (
            select(alliances.c.community_codes)
            .where(
                alliances.c.community_codes.contains([community_code]),
                alliances.c.retired_at.is_(None),
            )
            .subquery()
        )
        partner_codes = select(func.unnest(alliance_codes.c.community_codes))
        query = (
            select(communities.c.code, communities.c.name)
            .where(
                communities.c.code.in_(partner_codes),
                communities.c.code != community_code,
                communities.c.retired_at.is_(None),
            )
            .order_by(communities.c.code)
        )
        return list(await self.session.execute(query))

    async def communities(self) -> list:
        return list(await self.session.execute(select(communities).order_by(communities.c.code)))

    async def community(self, code: str):
        return (
            await self.session.execute(select(communities).where(communities.c.code == code))
        ).first()

    async def grid_node(self, code: str):
        return (
            await self.session.execute(select(grid_nodes).where(grid_nodes.c.code == code))
        ).first()

    async def buildings_of(self, node: Any) -> dict[str, list[str]]:
        """A micro-grid's buildings by name, each with its units' names: the building and unit
        nodes under it, else the address keys it declares (units unknown)."""
        rows = await self.session.execute(
            select(
                grid_nodes.c.code, grid_nodes.c.name, grid_nodes.c.kind, grid_nodes.c.parent_code
            )
            .where(
                grid_nodes.c.path.contains([node.code]),
                grid_nodes.c.kind.in_(("building", "unit")),
                grid_nodes.c.retired_at.is_(None),
            )
            .order_by(grid_nodes.c.path)
        )
        found = list(rows)
        names = {r.code: r.name for r in found if r.kind == "building"}
        buildings: dict[str, list[str]] = {name: [] for name in names.values()}
        for r in found:
            if r.kind == "unit" and r.parent_code in names:
                buildings[names[r.parent_code]].append(r.name)
        return buildings or {key: [] for key in node.addresses or []}

    async def households_under(self, code: str) -> int:
        """The households of a grid node's live subtree: each node counts its own."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(grid_nodes.c.households), 0)).where(
                grid_nodes.c.path.contains([code]), grid_nodes.c.retired_at.is_(None)
            )
        )
        return int(total or 0)

    async def grid_nodes(self, community_code: str | None, include_retired: bool = False) -> list:
        query = select(grid_nodes).order_by(grid_nodes.c.path)
        if community_code:
            query = query.where(grid_nodes.c.community_code == community_code)
        if not include_retired:
            query = query.where(grid_nodes.c.retired_at.is_(None))
        return list(await self.session.execute(query))

    async def known_departments(self, codes: list[str]) -> set[str]:
        """The codes of departments one may whistle to: known, not retired."""
        rows = await self.session.execute(
            select(departments.c.code).where(
                departments.c.code.in_(codes), departments.c.retired_at.is_(None)
            )
        )
        return {r.code for r in rows}

    async def departments(self, include_retired: bool = False) -> list:
        query = select(departments).order_by(departments.c.code)
        if not include_retired:
            query = query.where(departments.c.retired_at.is_(None))
        return list(await self.session.execute(query))

    async def counts(self) -> tuple[int, int]:
        return (
            await self.session.scalar(select(func.count()).select_from(departments)),
            await self.session.scalar(select(func.count()).select_from(grid_nodes)),
        )
