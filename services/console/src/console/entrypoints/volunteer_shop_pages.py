"""The points shop (积分超市): goods, a volunteer's redemption, the counter's hand-over and a
cancellation that refunds."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from console.adapters.services import Answer
from console.entrypoints.volunteering_web import (
    COUNTER,
    SHOP,
    back_to,
    community_shown,
    landing,
    my_profile,
    next_page,
    volunteer_names,
)
from console.entrypoints.web import COORDINATORS, Session, needs, page_language, render
from lianxin.auth import Role

router = APIRouter(prefix="/volunteering")
# volunteers' kinds of donor (it refuses any other).
DONOR_KINDS = ("civil_affairs", "member_unit", "firm", "resident")


# -- the shop ------------------------------------------------------------------------------


@router.get("/shop", response_class=HTMLResponse)
async def shop(
    request: Request,
    community: str | None = None,
    error: str | None = None,
    current: Session = Depends(needs(*SHOP)),
) -> Response:
    """Goods with their stock and price; a volunteer redeems, a coordinator records a hand-over
    at the counter and cancels a redemption (the points go back)."""
    return await shop_page(request, current, community, error=error)


async def shop_page(
    request: Request, current: Session, community: str | None, status_code: int = 200, **extra: Any
) -> Response:
    """The shop; for coordinators with the forms that stock it (`extra`: one of them sent back
    with volunteers' refusal)."""
    me = await my_profile(current)
    code = me["community_code"] if me else community_shown(current, community)
    coordinator = current.may(*COORDINATORS)
    items, book, counter, names = await asyncio.gather(
        current.services.get("volunteers", "/shop/items", community_code=code),
        current.services.get("volunteers", f"/volunteers/{me['id']}/passbook")
        if me
        else _nothing(),
        current.services.get("volunteers", "/shop/redemptions", community_code=code, limit=20)
        if coordinator
        else _nothing(),
        volunteer_names(current, code),
    )
    goods = items.body if items.ok else []
    return render(
        request,
        "volunteering_shop.html",
        status_code,
        community=code,
        communities=sorted(current.principal.scope.communities),
        items=goods,
        item_names={i["id"]: i["name"] for i in goods},
        me=me,
        book=book.body if book.ok else None,
        redemptions=counter.body if counter.ok else [],
        volunteer_names=names,
        coordinator=coordinator,
        donor_kinds=DONOR_KINDS,
        **({"error": None} | extra),
    )


async def _nothing() -> Answer:
    return Answer(204, None)


@router.post("/shop/handover")
async def handover(request: Request, current: Session = Depends(needs(*COORDINATORS))) -> Response:
    """A coordinator at the counter: the item chosen in the form, for the volunteer chosen."""
    form = await request.form()
    try:
        item_id = UUID(str(form.get("item") or ""))
    except ValueError:
        return back_to(next_page(form, "/volunteering/shop") + "&error=item")
    return await redeem(item_id, request, current)


@router.post("/shop/items/{item_id}/redemptions")
async def redeem(
    item_id: UUID, request: Request, current: Session = Depends(needs(*SHOP))
) -> Response:
    form = await request.form()
    volunteer_id = str(form.get("volunteer_id") or "")
    if current.principal.role is Role.VOLUNTEER:
        me = await my_profile(current)
        volunteer_id = me["id"] if me else ""
    handed_over_by = str(form.get("handed_over_by") or "").strip() or (
        COUNTER if current.principal.role is Role.VOLUNTEER else ""
    )
    answer = await current.services.post(
        "volunteers",
        f"/shop/items/{item_id}/redemptions",
        {"volunteer_id": volunteer_id, "handed_over_by": handed_over_by},
    )
    return landing(
        answer,
        next_page(form, "/volunteering/shop"),
        page_language(request),
        {"volunteer_id", "handed_over_by"},
    )


@router.post("/shop/redemptions/{redemption_id}/cancellation")
async def cancel_redemption(
    redemption_id: UUID, request: Request, current: Session = Depends(needs(*COORDINATORS))
) -> Response:
    form = await request.form()
    answer = await current.services.post(
        "volunteers",
        f"/shop/redemptions/{redemption_id}/cancellation",
        {"reason": str(form.get("reason") or "").strip()},
    )
    return landing(
        answer, next_page(form, "/volunteering/shop"), page_language(request), {"reason"}
    )


# -- leaderboards --------------------------------------------------------------------------
