"""Attaching an incident's photos and reading them back, within the incident's own scope.

Whoever sees the incident may see its photos (`pipeline.visible`: the same check as the incident
itself, a 404 outside it); the grid's people and the departments working it may attach them.
The photo is checked (size, then type by its first bytes) and re-encoded without its metadata
before the transaction opens: Pillow's work holds no database connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import UUID

from incidents.adapters.images import Prepared
from incidents.domain.photos import Photo, check_attachable, check_size, check_type
from incidents.service_layer.pipeline import Clock, actor, utcnow, visible
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal
from lianxin.errors import NotFound
from lianxin.photos import HEAD

# bytes → the stripped copy and its thumbnail (adapters.images.prepare).
Prepare = Callable[[bytes], Prepared]


async def attach(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    data: bytes,
    *,
    limit: int,
    prepare: Prepare,
    clock: Clock = utcnow,
) -> Photo:
    check_size(len(data), limit)
    check_type(data[:HEAD])
    prepared = await asyncio.to_thread(prepare, data)
    async with uow:
        incident = await visible(uow, principal, incident_id)
        check_attachable(incident.status.value, await uow.photos.count(incident_id))
        photo = Photo.attach(incident_id, actor(principal), clock())
        await uow.photos.add(photo, prepared.image, prepared.thumbnail)
        await uow.commit()
    return photo


async def listed(uow: IncidentsUnitOfWork, principal: Principal, incident_id: UUID) -> list[Photo]:
    async with uow:
        await visible(uow, principal, incident_id)
        return await uow.photos.listed(incident_id)


async def content(
    uow: IncidentsUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    photo_id: UUID,
    *,
    thumbnail: bool = False,
) -> bytes:
    async with uow:
        await visible(uow, principal, incident_id)
        found = await uow.photos.content(incident_id, photo_id, thumbnail=thumbnail)
    if found is None:
        raise NotFound("photo", photo_id)
    return found
