"""The counters behind ticket numbers: one row per community and day (China's), its last number
given. Taking a number bumps the row inside the report's transaction, so the row stays locked
until that report commits: two reports at once get two numbers, and a report that fails gives
its number back with the rollback."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Date, Integer, Table, Text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import metadata

ticket_counters = Table(
    "ticket_counters",
    metadata,
    Column("community_code", Text, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

_TAKE = (
    insert(ticket_counters)
    .on_conflict_do_update(
        index_elements=[ticket_counters.c.community_code, ticket_counters.c.day],
        set_={"last": ticket_counters.c.last + 1},
    )
    .returning(ticket_counters.c.last)
)


class TicketCounters:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take(self, community_code: str, day: date) -> int:
        """The community's next number of the day: 1 for the day's first report."""
        row = await self.session.execute(
            _TAKE, {"community_code": community_code, "day": day, "last": 1}
        )
        return row.scalar_one()
