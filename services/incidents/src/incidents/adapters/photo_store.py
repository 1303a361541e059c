"""An incident's photos in incidents' own PostgreSQL: one row each, the bytes as bytea.

Why bytea and not large objects: a photo is at most a few megabytes (the upload limit), so a row
holds it whole without streaming; it is written in the same transaction as the check that the
incident takes it, deleted with the incident's rows, copied by every backup and replica like any
other row, and needs no `lo_unlink` housekeeping (an orphaned large object outlives its row).
Lists read the metadata columns only: PostgreSQL keeps the bytes out of line (TOAST) and never
reads them for a query that does not name them.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import incident_photos
from incidents.domain.photos import Photo

_META = [incident_photos.c[name] for name in Photo.__dataclass_fields__]


class PhotoStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, photo: Photo, image: bytes, thumbnail: bytes) -> None:
        row = {name: getattr(photo, name) for name in Photo.__dataclass_fields__}
        await self.session.execute(
            incident_photos.insert().values(**row, image=image, thumbnail=thumbnail)
        )

    async def count(self, incident_id: UUID) -> int:
        query = select(func.count()).where(incident_photos.c.incident_id == incident_id)
        return int(await self.session.scalar(query) or 0)

    async def listed(self, incident_id: UUID) -> list[Photo]:
        rows = await self.session.execute(
            select(*_META)
            .where(incident_photos.c.incident_id == incident_id)
            .order_by(incident_photos.c.uploaded_at, incident_photos.c.id)
        )
        return [Photo(**row._mapping) for row in rows]

    async def first_of(self, incident_ids: list[UUID]) -> dict[UUID, UUID]:
        """Each incident's first photo, for those that have one (Open311's `media_url`)."""
        rows = await self.session.execute(
            select(incident_photos.c.incident_id, incident_photos.c.id)
            .where(incident_photos.c.incident_id.in_(incident_ids))
            .order_by(incident_photos.c.incident_id, incident_photos.c.uploaded_at)
            .distinct(incident_photos.c.incident_id)
        )
        return {row.incident_id: row.id for row in rows}

    async def content(self, incident_id: UUID, photo_id: UUID, *, thumbnail: bool) -> bytes | None:
        """The photo (a JPEG) or its thumbnail; None if the incident has no such photo."""
        column = incident_photos.c.thumbnail if thumbnail else incident_photos.c.image
        found = await self.session.scalar(
            select(column).where(
                incident_photos.c.id == photo_id, incident_photos.c.incident_id == incident_id
            )
        )
        return bytes(found) if found is not None else None
