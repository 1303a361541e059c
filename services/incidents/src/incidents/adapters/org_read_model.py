"""The read models incidents keeps of the organisation, from ORG events alone."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Table, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import alliances, communities, departments, grid_nodes
from incidents.adapters.read_cache import read_cache


class OrganisationReadModel:
    """Communities, departments and grid nodes as the ORG stream told us.

    Each event carries its aggregate's whole state and version: a row is replaced only by a newer
    version, so redeliveries, out-of-order retries and a replay from the stream's start all leave
    the same rows.

    The reads a command makes are remembered for a few seconds (`read_cache`, which says what
    staleness that allows); the lists and counts the API shows are read afresh.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._cache = read_cache(session)
        self.wrote = False  # this transaction applied an event: the cache is cleared on commit

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
        self.wrote = True
        self._cache.clear()

    async def alliance_of(self, community_code: str) -> str | None:
        return await self._cache.get(
            ("alliance_of", community_code), lambda: self._alliance_of(community_code)
        )

    async def _alliance_of(self, community_code: str) -> str | None:
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
        return await self._cache.get(("community", code), lambda: self._first(communities, code))

    async def grid_node(self, code: str):
        return await self._cache.get(("grid_node", code), lambda: self._first(grid_nodes, code))

    async def _first(self, table: Table, code: str):
        return (await self.session.execute(select(table).where(table.c.code == code))).first()

    async def buildings_of(self, node: Any) -> dict[str, list[str]]:
        """A micro-grid's buildings by name, each with its units' names: the building and unit
        nodes under it, else the address keys it declares (units unknown). Remembered like the
        node itself: every report reads them."""
        return await self._cache.get(("buildings_of", node.code), lambda: self._buildings_of(node))

    async def _buildings_of(self, node: Any) -> dict[str, list[str]]:
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
        return await self._cache.get(
            ("households_under", code), lambda: self._households_under(code)
        )

    async def _households_under(self, code: str) -> int:
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
        """The codes of departments one may whistle to: known, not retired (from the live
        departments, remembered a few seconds)."""
        return {d.code for d in await self.live_departments() if d.code in codes}

    async def live_departments(self) -> list:
        """The departments not retired, in code order, remembered a few seconds: what a whistle
        routes by and holds to its declared targets."""
        return await self._cache.get("departments", lambda: self.departments(False))

    async def departments(self, include_retired: bool = False) -> list:
        """The departments in code order, read afresh (the list the API shows)."""
        query = select(departments).order_by(departments.c.code)
        if not include_retired:
            query = query.where(departments.c.retired_at.is_(None))
        return list(await self.session.execute(query))

    async def counts(self) -> tuple[int, int]:
        return (
            await self.session.scalar(select(func.count()).select_from(departments)),
            await self.session.scalar(select(func.count()).select_from(grid_nodes)),
        )
