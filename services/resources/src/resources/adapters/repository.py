from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from resources.adapters.orm import needs
from resources.domain.model import Need


class NeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, need: Need) -> None:
        await self.session.execute(
            needs.insert().values(
                id=need.id,
                community_code=need.community_code,
                title=need.title,
                status=need.status,
                opened_at=need.opened_at,
                source_incident_id=need.source_incident_id,
            )
        )

    async def list(self, community_code: str | None) -> list[Need]:
        query = select(needs).order_by(needs.c.opened_at.desc())
        if community_code:
            query = query.where(needs.c.community_code == community_code)
        return [
            Need(r.id, r.community_code, r.title, r.status, r.opened_at, r.source_incident_id)
            for r in await self.session.execute(query)
        ]
