"""An incident's photos and location in the console: the report form's photo and building/unit
picker, the incident page's thumbnails, adding a photo later, and the photos themselves.

The console keeps no photo: it passes the user's upload to incidents (which checks it again,
strips its metadata and keeps it) and fetches each photo with the user's own token, so a user
sees exactly the photos incidents lets them see. A photo is checked here too before its report
is sent, so that a refused photo does not leave a report behind without it; the browser checks
its size before sending (static/photos.js), and a request too big to be a report with one photo
is refused before its body is read.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from console.adapters.services import Answer
from console.domain.forms import error_message
from console.domain.places import buildings_by_micro_grid
from console.entrypoints.web import REPORTERS, PageError, Session, needs, page_language
from console.entrypoints.web import session as signed_in
from lianxin.auth import Role
from lianxin.photos import HEAD, sniff, upload_ceiling

router = APIRouter()

# Who may add photos: the grid's people, and a department with its result.
ATTACHERS = (*REPORTERS, Role.DEPARTMENT_OPERATOR)
CLOSED = {"closed", "cancelled", "rejected", "merged"}
PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
# What a report's other fields may add to its photo: a request larger than both is not read.
FORM_MARGIN = 256 * 1024
WHERE_FIELDS = {"building", "unit", "latitude", "longitude", "photo"}
ENGLISH = {
    "photo_too_large": "The photo is too large",
    "photo_type": "Choose a photo (JPEG, PNG, WebP or HEIC)",
    "photo_unreadable": "The photo cannot be read",
    "photo_count": "An incident holds at most 20 photos",
}


def limit_of(current: Session) -> int:
    return current.services.settings.lianxin_photo_max_bytes


def megabytes(limit: int) -> int | float:
    mb = round(limit / 1024 / 1024, 1)
    return int(mb) if mb == int(mb) else mb


def refusal(kind: str, current: Session, lang: str) -> str:
    """A photo refusal of type `kind` (incidents' words for it) in the user's language."""
    ctx = {"limit_mb": megabytes(limit_of(current)), "max": 20}
    return error_message({"type": kind, "ctx": ctx, "detail": ENGLISH.get(kind, kind)}, lang)


def too_large_to_read(request: Request, current: Session) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit_of(current) + FORM_MARGIN


def chosen(upload: Any) -> UploadFile | None:
    """The file the form's photo input carries; None when none was chosen."""
    if isinstance(upload, UploadFile) and (upload.filename or upload.size):
        return upload
    return None


async def check(upload: Any, current: Session, lang: str) -> dict[str, str]:
    """{"photo": why} for a chosen file that is too big or no photo; {} otherwise."""
    photo = chosen(upload)
    if photo is None:
        return {}
    if (photo.size or 0) > limit_of(current):
        return {"photo": refusal("photo_too_large", current, lang)}
    head = await photo.read(HEAD)
    await photo.seek(0)
    return {} if sniff(head) else {"photo": refusal("photo_type", current, lang)}


def where(form: dict[str, str]) -> dict[str, Any]:
    """The report's location fields for incidents: the pin only when both were given."""
    pin = {k: _coordinate(form.get(k)) for k in ("latitude", "longitude")}
    return {
        "building": form.get("building", "").strip(),
        "unit": form.get("unit", "").strip(),
        **(pin if any(v is not None for v in pin.values()) else {}),
    }


def _coordinate(value: Any) -> Any:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text  # incidents names the field it cannot read


async def send(current: Session, incident_id: str, upload: UploadFile) -> Answer:
    return await current.services.post_bytes(
        "incidents", f"/incidents/{incident_id}/photos", await upload.read()
    )


def _kind(answer: Answer) -> str:
    errors = (answer.body or {}).get("errors") if isinstance(answer.body, dict) else None
    return str(errors[0].get("type") or "photo_type") if errors else "photo_unreadable"


async def after_report(current: Session, incident_id: str, upload: Any) -> Response:
    """The new incident's page, once its photo (if any) is sent; naming the refusal if not."""
    photo = chosen(upload)
    page = f"/incidents/{incident_id}"
    if photo is not None:
        answer = await send(current, incident_id, photo)
        if not answer.ok:
            page += f"?photo_error={_kind(answer)}"
    return RedirectResponse(page + ("#photos" if "?" in page else ""), status_code=303)


def picker(current: Session, nodes: list[dict]) -> dict[str, Any]:
    """What the report form's photo and location part needs."""
    settings = current.services.settings
    return {
        "buildings": buildings_by_micro_grid(nodes),
        "map_tiles": settings.lianxin_map_tiles,
        "photo_limit": limit_of(current),
        "photo_limit_mb": megabytes(limit_of(current)),
    }


async def for_page(request: Request, current: Session, incident: dict) -> dict[str, Any]:
    """The incident page's photos part: the list, whether this user may add one, a refusal."""
    listed = await current.services.get("incidents", f"/incidents/{incident['id']}/photos")
    kind = request.query_params.get("photo_error")
    return {
        "items": listed.body if listed.ok and isinstance(listed.body, list) else [],
        "may_attach": current.may(*ATTACHERS) and incident["status"] not in CLOSED,
        "error": refusal(kind, current, page_language(request)) if kind else None,
        "limit": limit_of(current),
        "limit_mb": megabytes(limit_of(current)),
        "map_tiles": current.services.settings.lianxin_map_tiles,
    }


@router.post("/incidents/{incident_id}/photos/upload", max_body_size=upload_ceiling())
async def upload(
    incident_id: UUID, request: Request, current: Session = Depends(needs(*ATTACHERS))
) -> Response:
    """A photo added to an incident after its report."""
    page = f"/incidents/{incident_id}"
    if too_large_to_read(request, current):
        return RedirectResponse(f"{page}?photo_error=photo_too_large#photos", status_code=303)
    photo = chosen((await request.form()).get("photo"))
    if photo is None:
        return RedirectResponse(f"{page}?photo_error=photo_type#photos", status_code=303)
    answer = await send(current, str(incident_id), photo)
    if answer.status == 404:
        raise PageError(404, "not_found")
    suffix = "" if answer.ok else f"?photo_error={_kind(answer)}"
    return RedirectResponse(f"{page}{suffix}#photos", status_code=303)


@router.get("/incidents/{incident_id}/photos/{photo_id}")
async def photo(
    incident_id: UUID,
    photo_id: UUID,
    thumbnail: bool = False,
    current: Session = Depends(signed_in),
) -> Response:
    """The photo, or its thumbnail, as incidents lets this user see it; never cached."""
    path = f"/incidents/{incident_id}/photos/{photo_id}"
    status, content, media_type = await current.services.get_bytes(
        "incidents", path + ("?thumbnail=true" if thumbnail else "")
    )
    if status in (401, 403, 404, 422):
        raise PageError(404, "not_found")
    if status != 200:
        raise PageError(503, "not_found")
    return Response(content, media_type=media_type, headers=PRIVATE)
