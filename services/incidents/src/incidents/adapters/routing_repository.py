"""An alliance's routing rules and service levels, as stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import routing_rules, service_levels
from incidents.domain.routing import RoutingRule, RoutingTable, ServiceLevel


class RoutingRepository:
    """An alliance's routing rules and service levels; what it never set are the defaults."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def table(self, alliance_code: str) -> RoutingTable:
        table = RoutingTable(alliance_code)
        for r in await self.session.execute(
            select(routing_rules).where(routing_rules.c.alliance_code == alliance_code)
        ):
            table.add(RoutingRule(r.category, r.area, tuple(r.department_codes)))
        for level in await self.session.execute(
            select(service_levels).where(service_levels.c.alliance_code == alliance_code)
        ):
            table.set_service_level(
                level.urgency,
                ServiceLevel(
                    timedelta(seconds=level.acknowledge_within),
                    timedelta(seconds=level.resolve_within),
                ),
            )
        return table

    async def save(self, table: RoutingTable) -> None:
        """Replace the alliance's stored table with this one."""
        code = table.alliance_code
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
