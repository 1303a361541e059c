"""The resident's rating page (回访): public, phone first, Chinese first. The link's token is
the only credential (see incidents' `domain.rating_links`): the page shows what was done and
asks 满意 / 基本满意 / 不满意, none pre-selected, and a comment; the rating counts like one a
coordinator records. The console calls incidents' public `/rating-links/<token>`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from console.adapters.services import Services
from console.domain.i18n import translator
from console.entrypoints.web import page_language, render

router = APIRouter()
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
# What stops a rating, as incidents says it (`closed_because`) or answers it (409).
CLOSED = {"used", "expired", "spent"}


def _anonymous(request: Request) -> Services:
    return Services(request.app.state.runtime.settings, None)


async def _show(request: Request, token: str, status_code: int = 200, **more) -> Response:
    found = await _anonymous(request).get("incidents", f"/rating-links/{token}")
    if not found.ok:
        return render(request, "rate.html", 404, link=None, closed="unknown", ratings=RATINGS)
    link = found.body
    return render(
        request,
        "rate.html",
        status_code,
        link=link,
        closed=more.pop("closed", None) or link["closed_because"],
        ratings=RATINGS,
        **more,
    )


@router.get("/rate/{token}", response_class=HTMLResponse)
async def rating_page(token: str, request: Request) -> Response:
    response = await _show(request, token)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/rate/{token}", response_class=HTMLResponse)
async def rate(token: str, request: Request) -> Response:
    form = await request.form()
    rating = str(form.get("rating", ""))
    comment = str(form.get("comment", "")).strip()
    t = translator(page_language(request))
    kept = {"rating": rating, "comment": comment}
    if rating not in RATINGS:
        return await _show(request, token, 422, form=kept, error=t("rate.need_rating"))
    if rating == "unsatisfied" and not comment:
        return await _show(request, token, 422, form=kept, error=t("rate.need_comment"))
    answer = await _anonymous(request).post(
        "incidents", f"/rating-links/{token}", {"rating": rating, "comment": comment}
    )
    if answer.ok:
        return await _show(request, token, closed="thanks")
    if answer.status == 404:
        return await _show(request, token, 404)
    # 409: used meanwhile, expired, or the incident moved on: the page says which.
    return await _show(request, token, 409 if answer.status == 409 else 422, form=kept)
