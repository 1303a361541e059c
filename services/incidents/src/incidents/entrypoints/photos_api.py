"""An incident's photos over HTTP: attach one (the body is the image itself), list them, and
fetch a photo or its thumbnail.

Only those who see the incident see its photos (404 otherwise, as for the incident), and the
answers are never stored by a shared cache. An upload is refused by its declared length before
any of it is read, and by what has been read as soon as it passes the limit.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel

from incidents.adapters.images import prepare
from incidents.domain.photos import Photo, check_size
from incidents.entrypoints.api import GRID_STAFF, uow
from incidents.service_layer import photos
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, authenticated, require
from lianxin.errors import RuleBroken
from lianxin.problems import Problem, as_problem
from lianxin.service import Runtime, runtime

router = APIRouter()

# Who may attach: the grid's people, and a department working the incident (its result).
ATTACHERS = (*GRID_STAFF, Role.DEPARTMENT_OPERATOR)
# A photo is the incident's private matter: no shared cache keeps it, nor the browser's disk.
PRIVATE = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
}
UPLOAD = {
    "requestBody": {
        "required": True,
        "description": "The photo itself (JPEG, PNG, WebP or HEIC), told by its first bytes.",
        "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class PhotoOut(BaseModel):
    id: UUID
    incident_id: UUID
    media_type: str
    width: int
    height: int
    size: int
    uploaded_type: str
    uploaded_by: str
    uploaded_at: datetime
    url: str
    thumbnail_url: str


def photo_out(photo: Photo) -> PhotoOut:
    url = f"/incidents/{photo.incident_id}/photos/{photo.id}"
    fields = {name: getattr(photo, name) for name in Photo.__dataclass_fields__}
    return PhotoOut(**fields, url=url, thumbnail_url=f"{url}/thumbnail")


async def read_photo(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it is known to be over `limit`."""
    try:
        declared = request.headers.get("content-length", "")
        check_size(int(declared) if declared.isdigit() else None, limit)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            check_size(len(body) if len(body) > limit else None, limit)
    except RuleBroken as error:
        if error.type != "photo_too_large":
            raise
        problem = as_problem(error)
        raise Problem(413, "Content Too Large", error.detail, errors=problem.errors) from error
    return bytes(body)


@router.post(
    "/incidents/{incident_id}/photos",
    status_code=status.HTTP_201_CREATED,
    response_model=PhotoOut,
    openapi_extra=UPLOAD,
)
async def attach(
    incident_id: UUID,
    request: Request,
    rt: Runtime = Depends(runtime),
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*ATTACHERS)),
) -> PhotoOut:
    limit = rt.settings.lianxin_photo_max_bytes
    data = await read_photo(request, limit)
    photo = await photos.attach(uow, principal, incident_id, data, limit=limit, prepare=prepare)
    return photo_out(photo)


@router.get("/incidents/{incident_id}/photos", response_model=list[PhotoOut])
async def listed(
    incident_id: UUID,
    response: Response,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> list[PhotoOut]:
    response.headers.update(PRIVATE)
    return [photo_out(p) for p in await photos.listed(uow, principal, incident_id)]


async def _image(
    uow: IncidentsUnitOfWork, principal: Principal, incident_id: UUID, photo_id: UUID, thumb: bool
) -> Response:
    media_type, data = await photos.content(uow, principal, incident_id, photo_id, thumbnail=thumb)
    return Response(data, media_type=media_type, headers=PRIVATE)


IMAGE = {200: {"content": {"image/jpeg": {}}, "description": "The photo, without metadata"}}


@router.get("/incidents/{incident_id}/photos/{photo_id}", responses=IMAGE)
async def photo(
    incident_id: UUID,
    photo_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _image(uow, principal, incident_id, photo_id, False)


@router.get("/incidents/{incident_id}/photos/{photo_id}/thumbnail", responses=IMAGE)
async def thumbnail(
    incident_id: UUID,
    photo_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> Response:
    return await _image(uow, principal, incident_id, photo_id, True)
