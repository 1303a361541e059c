"""Planning volunteering in the console: a coordinator plans an activity, schedules its shifts
and calls one off, puts a good on the points shop's shelf, restocks one and takes one off it.

Each form posts to volunteers with the user's own token, open to every role that sees the page:
volunteers decides who may (its 403 or 404 is the page's own, as on every page); the forms are
only shown to coordinators. What volunteers refuses (422) comes back beside the fields it names,
in the page's language, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.entrypoints.deliberation_pages import local_moment
from console.entrypoints.volunteer_service_pages import activities_page, activity_page
from console.entrypoints.volunteer_shop_pages import shop_page
from console.entrypoints.volunteering_web import SHOP, back_to, refused
from console.entrypoints.web import VOLUNTEERING, Session, needs, page_language

router = APIRouter(prefix="/volunteering")
SHELF = "/volunteering/shop?community={community_code}"  # the good's own community's shop


async def typed(request: Request) -> dict[str, str]:
    """The form as typed, to send back with a refusal."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def number(text: str) -> int | str:
    """A whole number typed, or what was typed (for volunteers to name the field it rejects)."""
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else text


def moment(text: str) -> str:
    """A `datetime-local` value in China's time; blank stays blank for volunteers to refuse."""
    return local_moment(text) if text.strip() else ""


async def send(
    request: Request,
    current: Session,
    path: str,
    body: dict[str, Any],
    form: dict[str, str],
    *,
    then: str,
    again: Callable[..., Awaitable[Response]],
    action: str,
) -> Response:
    """The form's body to volunteers: taken, on to `then` (filled in from what volunteers
    answered, e.g. the new activity's `{id}`); refused, the page `again` with the form `action`
    open, volunteers' errors beside its fields and what was typed kept."""
    answer = await current.services.post("volunteers", path, body)
    if answer.ok:
        return back_to(then.format(**answer.body))
    problem = refused(answer, page_language(request), body)
    return await again(action=action, form=form, **problem)


@router.post("/activities")
async def plan_activity(
    request: Request, current: Session = Depends(needs(*VOLUNTEERING))
) -> Response:
    form = await typed(request)
    body = {
        "community_code": form.get("community_code", ""),
        "node_code": form.get("node_code", ""),
        "kind": form.get("kind", ""),
        "title": form.get("title", "").strip(),
        "team_id": form.get("team_id") or None,
        "emergency": form.get("emergency") == "on",
    }
    again = partial(activities_page, request, current, body["community_code"] or None)
    return await send(
        request,
        current,
        "/activities",
        body,
        form,
        then="/volunteering/activities/{id}",
        again=again,
        action="activity",
    )


@router.post("/activities/{activity_id}/shifts")
async def schedule_shift(
    activity_id: UUID, request: Request, current: Session = Depends(needs(*VOLUNTEERING))
) -> Response:
    form = await typed(request)
    body: dict[str, Any] = {
        "starts_at": moment(form.get("starts_at", "")),
        "ends_at": moment(form.get("ends_at", "")),
        "place": form.get("place", "").strip(),
        "places": number(form.get("places", "")),
    }
    return await send(
        request,
        current,
        f"/activities/{activity_id}/shifts",
        body,
        form,
        then="/volunteering/activities/{activity_id}",
        again=partial(activity_page, request, current, activity_id),
        action="shift",
    )


@router.post("/activities/{activity_id}/shifts/{shift_id}/cancellation")
async def call_off_shift(
    activity_id: UUID,
    shift_id: UUID,
    request: Request,
    current: Session = Depends(needs(*VOLUNTEERING)),
) -> Response:
    """A shift called off, with its reason: each shift's form is its own (`call-off-<id>`), so
    a refusal (blank reason, the shift started meanwhile) comes back beside that shift's field."""
    form = await typed(request)
    return await send(
        request,
        current,
        f"/shifts/{shift_id}/cancellation",
        {"reason": form.get("reason", "").strip()},
        form,
        then="/volunteering/activities/{activity_id}",
        again=partial(activity_page, request, current, activity_id),
        action=f"call-off-{shift_id}",
    )


@router.post("/shop/items")
async def add_good(request: Request, current: Session = Depends(needs(*SHOP))) -> Response:
    form = await typed(request)
    body = {
        "community_code": form.get("community_code", ""),
        "name": form.get("name", "").strip(),
        "donor_kind": form.get("donor_kind", ""),
        "donor": form.get("donor", "").strip(),
        "price": number(form.get("price", "")),
        "stock": number(form.get("stock", "")),
    }
    return await send(
        request,
        current,
        "/shop/items",
        body,
        form,
        then=SHELF,
        again=partial(shop_page, request, current, body["community_code"] or None),
        action="good",
    )


@router.post("/shop/items/{item_id}/stock")
async def restock(
    item_id: UUID, request: Request, current: Session = Depends(needs(*SHOP))
) -> Response:
    """More of a good on the shelf: each restock form is its item's own (`restock-<id>`)."""
    form = await typed(request)
    body = {"added": number(form.get("added", ""))}
    return await _on_a_good(request, current, item_id, "stock", body, form, "restock")


@router.post("/shop/items/{item_id}/retirement")
async def retire_good(
    item_id: UUID, request: Request, current: Session = Depends(needs(*SHOP))
) -> Response:
    """A good off the shelf (its own form, `retire-<id>`, confirms it)."""
    form = await typed(request)
    return await _on_a_good(request, current, item_id, "retirement", {}, form, "retire")


async def _on_a_good(
    request: Request,
    current: Session,
    item_id: UUID,
    step: str,
    body: dict[str, Any],
    form: dict[str, str],
    action: str,
) -> Response:
    """One good's step (`/shop/items/{id}/{step}`), from its own form (`<action>-<id>`) on the
    shop page of the community the form names; back to that shelf."""
    return await send(
        request,
        current,
        f"/shop/items/{item_id}/{step}",
        body,
        form,
        then=SHELF,
        again=partial(shop_page, request, current, form.get("community_code") or None),
        action=f"{action}-{item_id}",
    )
