"""An incident's photos over HTTP: attach one (the body is the image itself), list them, and
fetch a photo or its thumbnail.

Only those who see the incident see its photos (404 otherwise, as for the incident), and the
answers are never stored by a shared cache. An upload is refused by its declared length before
any of it is read, and by what has been read as soon as it passes the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status

from incidents.adapters.images import SERVED_TYPE, prepare
from incidents.domain.photos import Photo, check_size
from incidents.entrypoints.api import GRID_STAFF, uow
from incidents.service_layer import photos
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, authenticated, require
from lianxin.errors import RuleBroken
from lianxin.photos import upload_ceiling
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


@dataclass(frozen=True)
class PhotoOut(Photo):
    """A photo as listed, with where to fetch it and its thumbnail."""

    url: str
    thumbnail_url: str


def photo_out(photo: Photo) -> PhotoOut:
    url = f"/incidents/{photo.incident_id}/photos/{photo.id}"
    return PhotoOut(**vars(photo), url=url, thumbnail_url=f"{url}?thumbnail=true")


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
    max_body_size=upload_ceiling(),
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


async def private(response: Response) -> None:
    response.headers.update(PRIVATE)


@router.get(
    "/incidents/{incident_id}/photos",
    response_model=list[PhotoOut],
    dependencies=[Depends(private)],
)
async def listed(
    incident_id: UUID,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> list[PhotoOut]:
    return [photo_out(p) for p in await photos.listed(uow, principal, incident_id)]


IMAGE = {200: {"content": {SERVED_TYPE: {}}, "description": "The photo, without metadata"}}


@router.get("/incidents/{incident_id}/photos/{photo_id}", responses=IMAGE)
async def photo(
    incident_id: UUID,
    photo_id: UUID,
    thumbnail: bool = False,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> Response:
    """The photo, or with `thumbnail=true` its thumbnail."""
    data = await photos.content(uow, principal, incident_id, photo_id, thumbnail=thumbnail)
    return Response(data, media_type=SERVED_TYPE, headers=PRIVATE)
