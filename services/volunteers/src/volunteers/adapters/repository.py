from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from volunteers.adapters.orm import mobilisations
from volunteers.domain.model import Mobilisation


class MobilisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, m: Mobilisation) -> None:
        await self.session.execute(
            mobilisations.insert().values(
                id=m.id,
                community_code=m.community_code,
                grid_code=m.grid_code,
                incident_id=m.incident_id,
                status=m.status,
                started_at=m.started_at,
            )
        )

    async def list(self, community_code: str | None) -> list[Mobilisation]:
        query = select(mobilisations).order_by(mobilisations.c.started_at.desc())
        if community_code:
            query = query.where(mobilisations.c.community_code == community_code)
        return [
            Mobilisation(r.id, r.community_code, r.grid_code, r.incident_id, r.status, r.started_at)
            for r in await self.session.execute(query)
        ]
