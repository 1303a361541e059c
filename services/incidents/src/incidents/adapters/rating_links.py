"""The residents' rating links used so far: one row per token (its SHA-256), written in the
same transaction as the rating it gave."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from incidents.adapters.orm import rating_link_uses


class RatingLinkUses:
    def __init__(self, session: AsyncConnection) -> None:
        self.session = session

    async def used_at(self, token_hash: str) -> datetime | None:
        return await self.session.scalar(
            select(rating_link_uses.c.used_at).where(rating_link_uses.c.token_hash == token_hash)
        )

    async def record(self, token_hash: str, incident_id: UUID, rating: str, now: datetime) -> bool:
        """False when the token was used already (by a request that committed first)."""
        done = await self.session.execute(
            insert(rating_link_uses)
            .values(token_hash=token_hash, incident_id=incident_id, used_at=now, rating=rating)
            .on_conflict_do_nothing()
            .returning(rating_link_uses.c.token_hash)
        )
        return done.first() is not None
