"""An alliance's routing rules and service levels, as stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import routing_rules, service_levels
from incidents.adapters.read_cache import read_cache
from incidents.domain.routing import RoutingRule, RoutingTable, ServiceLevel


class RoutingRepository:
    """An alliance's routing rules and service levels; what it never set are the defaults."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._cache = read_cache(session)
        self.wrote = False  # this transaction saved a table: the cache is cleared on commit

    async def table(self, alliance_code: str) -> RoutingTable:
        """A table of its own (the caller may change it): built from the rows, which every
        whistle reads, remembered a few seconds (`read_cache`)."""
        rules, levels = await self._cache.get(
            ("routing", alliance_code), lambda: self._rows(alliance_code)
        )
        table = RoutingTable(alliance_code)
        for category, area, department_codes in rules:
            table.add(RoutingRule(category, area, tuple(department_codes)))
        for urgency, acknowledge_within, resolve_within in levels:
            table.set_service_level(
                urgency,
                ServiceLevel(
                    timedelta(seconds=acknowledge_within), timedelta(seconds=resolve_within)
                ),
            )
        return table

    async def _rows(self, alliance_code: str) -> tuple[list[tuple], list[tuple]]:
        rules = await self.session.execute(
            select(
                routing_rules.c.category, routing_rules.c.area, routing_rules.c.department_codes
            ).where(routing_rules.c.alliance_code == alliance_code)
        )
        levels = await self.session.execute(
            select(
                service_levels.c.urgency,
                service_levels.c.acknowledge_within,
                service_levels.c.resolve_within,
            ).where(service_levels.c.alliance_code == alliance_code)
        )
        return [tuple(r) for r in rules], [tuple(r) for r in levels]

    async def save(self, table: RoutingTable) -> None:
        """Replace the alliance's stored table with this one."""
        code = table.alliance_code
        self.wrote = True
        self._cache.clear()
        await self.session.execute(
            delete(routing_rules).where(routing_rules.c.alliance_code == code)
        )
        await self.session.execute(
            delete(service_levels).where(service_levels.c.alliance_code == code)
        )
        if table.rules:
            await self.session.execute(
                insert(routing_rules),
                [
                    {
                        "alliance_code": code,
                        "category": rule.category,
                        "area": rule.area,
                        "department_codes": list(rule.department_codes),
                    }
                    for rule in table.rules.values()
                ],
            )
        await self.session.execute(
            insert(service_levels),
            [
                {
                    "alliance_code": code,
                    "urgency": urgency,
                    "acknowledge_within": int(level.acknowledge_within.total_seconds()),
                    "resolve_within": int(level.resolve_within.total_seconds()),
                }
                for urgency, level in table.service_levels.items()
            ],
        )
