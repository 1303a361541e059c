"""The volunteers' pages: my passbook and shifts, activities with their shifts and check-in, the
points shop, leaderboards, the mobilisation board, and the dashboard's volunteer figures.

Everything comes from the volunteers service with the user's own token: the console decides no
access, it only shows the forms a role can use (the service refuses the rest, and its problem
shows on the page). A volunteer's token names her organisation account; volunteers knows which
profile that account speaks for (`GET /my/volunteer`).

The mobilisation board is live by polling (htmx, every 5 s), not by server-sent events: arrivals
on site are not events on the wire (only call-ups and answers are), and a poll asks volunteers
with the user's token, so it shows exactly what that user may see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.adapters.services import Answer
from console.domain.forms import field_errors
from console.entrypoints.web import COORDINATORS, VOLUNTEERING, PageError, Session, needs, render
from lianxin.auth import Role

router = APIRouter(prefix="/volunteering")

SHANGHAI = ZoneInfo("Asia/Shanghai")
VOLUNTEER = (Role.VOLUNTEER,)
SHOP = (*COORDINATORS, Role.VOLUNTEER)
CHECK_IN_OPENS = timedelta(minutes=30)  # as volunteers has it: people arrive early
COUNTER = "积分超市"  # who hands the goods over when a volunteer redeems for herself


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _community(current: Session, asked: str | None) -> str:
    """The community a page shows: the one asked for if the user's scope has it, else the
    first of the user's communities."""
    mine = sorted(current.principal.scope.communities)
    if asked and (asked in mine or current.principal.is_platform):
        return asked
    if not mine:
        raise PageError(404, "not_found")
    return mine[0]


async def _me(current: Session) -> dict | None:
    """The volunteer profile the user's account speaks for, if any."""
    if not current.may(Role.VOLUNTEER) or current.principal.is_platform:
        return None
    answer = await current.services.get("volunteers", "/my/volunteer")
    return answer.body if answer.ok else None


async def _names(current: Session, community: str) -> dict[str, str]:
    """Volunteers' names by id, for those who may list them (coordinators, grid leaders)."""
    if not current.may(*COORDINATORS, Role.GRID_LEADER):
        return {}
    answer = await current.services.get("volunteers", "/volunteers", community_code=community)
    return {v["id"]: v["name"] for v in answer.body} if answer.ok else {}


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _problem(answer: Answer, fields: Collection[str] = ()) -> str:
    """volunteers' refusal in one line: the fields it names, then its detail."""
    body = answer.body if isinstance(answer.body, dict) else {}
    errors, message = field_errors(body, set(fields))
    return "; ".join([*errors.values(), *([message] if message else [])]) or str(answer.status)


# -- my passbook and shifts ----------------------------------------------------------------


def _attendance(shift: dict, volunteer_id: str) -> dict | None:
    return next((s for s in shift.get("sign_ups", []) if s["volunteer_id"] == volunteer_id), None)


def _shift_view(shift: dict, now: datetime, mine: dict | None = None) -> dict:
    starts, ends = _when(shift["starts_at"]), _when(shift["ends_at"])
    assert starts is not None and ends is not None
    status = mine["status"] if mine else None
    return {
        **shift,
        "mine": mine,
        "status": status,
        "check_in_open": starts - CHECK_IN_OPENS <= now < ends,
        "started": now >= starts,
        "ended": now >= ends,
    }


@router.get("/me", response_class=HTMLResponse)
async def my_service(
    request: Request, error: str | None = None, current: Session = Depends(needs(*VOLUNTEER))
) -> Response:
    """A volunteer's phone: her shifts (to come, under way, done) and her passbook."""
    me = await _me(current)
    if me is None:
        return render(request, "volunteering_me.html", me=None)
    book, shifts, activities = await asyncio.gather(
        current.services.get("volunteers", f"/volunteers/{me['id']}/passbook"),
        current.services.get("volunteers", "/my/shifts"),
        current.services.get("volunteers", "/activities", community_code=me["community_code"]),
    )
    now = datetime.now(UTC)
    titles = {a["id"]: a for a in activities.body} if activities.ok else {}
    views = [
        _shift_view(s, now, _attendance(s, me["id"])) for s in (shifts.body if shifts.ok else [])
    ]
    ahead = [v for v in views if v["status"] in ("signed_up", "checked_in") and not v["ended"]]
    done = [v for v in views if v not in ahead and v["status"] != "cancelled"]
    return render(
        request,
        "volunteering_me.html",
        me=me,
        book=book.body if book.ok else None,
        ahead=ahead,
        done=list(reversed(done)),
        activities=titles,
        error=error,
    )


# -- activities and shifts -----------------------------------------------------------------


@router.get("/activities", response_class=HTMLResponse)
async def activities(
    request: Request,
    community: str | None = None,
    current: Session = Depends(needs(*VOLUNTEERING)),
) -> Response:
    code = _community(current, community)
    found, teams = await asyncio.gather(
        current.services.get("volunteers", "/activities", community_code=code),
        current.services.get("volunteers", "/teams", community_code=code),
    )
    return render(
        request,
        "volunteering_activities.html",
        community=code,
        communities=sorted(current.principal.scope.communities),
        activities=found.body if found.ok else [],
        teams={t["id"]: t for t in teams.body} if teams.ok else {},
    )


async def _activity(current: Session, activity_id: UUID) -> dict:
    """The activity, found in the user's communities (volunteers lists them by community)."""
    lists = await asyncio.gather(
        *(
            current.services.get("volunteers", "/activities", community_code=code)
            for code in sorted(current.principal.scope.communities)
        )
    )
    for answer in lists:
        for activity in answer.body if answer.ok else []:
            if activity["id"] == str(activity_id):
                return activity
    raise PageError(404, "not_found")


@router.get("/activities/{activity_id}", response_class=HTMLResponse)
async def activity_page(
    activity_id: UUID,
    request: Request,
    error: str | None = None,
    current: Session = Depends(needs(*VOLUNTEERING)),
) -> Response:
    """An activity's shifts: sign-up for volunteers; the roster, the code and check-in for the
    team's leader (and the roster and code for coordinators, to show at the door)."""
    activity = await _activity(current, activity_id)
    shifts, teams, me = await asyncio.gather(
        current.services.get("volunteers", f"/activities/{activity_id}/shifts"),
        current.services.get("volunteers", "/teams", community_code=activity["community_code"]),
        _me(current),
    )
    now = datetime.now(UTC)
    mine = me["id"] if me else None
    views = [
        _shift_view(s, now, _attendance(s, mine) if mine else None)
        for s in (shifts.body if shifts.ok else [])
    ]
    team = next(
        (t for t in (teams.body if teams.ok else []) if t["id"] == activity["team_id"]), None
    )
    return render(
        request,
        "volunteering_activity.html",
        activity=activity,
        shifts=views,
        team=team,
        me=me,
        is_volunteer=current.principal.role is Role.VOLUNTEER,
        error=error,
    )


def _after(form: Any, default: str) -> str:
    target = str(form.get("next") or default)
    return target if target.startswith("/volunteering/") else default


@router.post("/shifts/{shift_id}/sign-up")
async def sign_up(
    shift_id: UUID, request: Request, current: Session = Depends(needs(*VOLUNTEER))
) -> Response:
    form = await request.form()
    answer = await current.services.post("volunteers", f"/shifts/{shift_id}/sign-ups")
    return _landing(answer, _after(form, "/volunteering/me"))


@router.post("/shifts/{shift_id}/cancel")
async def cancel_sign_up(
    shift_id: UUID, request: Request, current: Session = Depends(needs(*VOLUNTEER))
) -> Response:
    form = await request.form()
    answer = await current.services.delete("volunteers", f"/shifts/{shift_id}/sign-ups/mine")
    return _landing(answer, _after(form, "/volunteering/me"))


ATTENDANCE = ("check-in", "check-out", "no-show")


@router.post("/shifts/{shift_id}/{step}")
async def attend(
    shift_id: UUID, step: str, request: Request, current: Session = Depends(needs(*VOLUNTEER))
) -> Response:
    """Check-in, check-out or no-show: by the team's leader for someone on the roster, or by
    the volunteer herself with the shift's code."""
    if step not in ATTENDANCE:
        raise PageError(404, "not_found")
    form = await request.form()
    code = str(form.get("code") or "").strip()
    volunteer_id = str(form.get("volunteer_id") or "")
    if not volunteer_id:
        me = await _me(current)
        volunteer_id = me["id"] if me else ""
    body: dict[str, Any] = {"volunteer_id": volunteer_id}
    if code:
        body["code"] = code
    answer = await current.services.post("volunteers", f"/shifts/{shift_id}/{step}", body)
    return _landing(answer, _after(form, "/volunteering/me"), {"code", "volunteer_id"})


def _landing(answer: Answer, target: str, fields: Collection[str] = ()) -> Response:
    """Back to the page the form was on; what volunteers refused shows at its top."""
    if answer.ok:
        return _back(target)
    if answer.status == 404:
        raise PageError(404, "not_found")
    separator = "&" if "?" in target else "?"
    return _back(f"{target}{separator}error={quote(_problem(answer, fields))}")


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
    me = await _me(current)
    code = me["community_code"] if me else _community(current, community)
    coordinator = current.may(*COORDINATORS)
    items, book, counter, names = await asyncio.gather(
        current.services.get("volunteers", "/shop/items", community_code=code),
        current.services.get("volunteers", f"/volunteers/{me['id']}/passbook")
        if me
        else _nothing(),
        current.services.get("volunteers", "/shop/redemptions", community_code=code, limit=20)
        if coordinator
        else _nothing(),
        _names(current, code),
    )
    goods = items.body if items.ok else []
    return render(
        request,
        "volunteering_shop.html",
        community=code,
        communities=sorted(current.principal.scope.communities),
        items=goods,
        item_names={i["id"]: i["name"] for i in goods},
        me=me,
        book=book.body if book.ok else None,
        redemptions=counter.body if counter.ok else [],
        names=names,
        coordinator=coordinator,
        error=error,
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
        return _back(_after(form, "/volunteering/shop") + "&error=item")
    return await redeem(item_id, request, current)


@router.post("/shop/items/{item_id}/redemptions")
async def redeem(
    item_id: UUID, request: Request, current: Session = Depends(needs(*SHOP))
) -> Response:
    form = await request.form()
    volunteer_id = str(form.get("volunteer_id") or "")
    if current.principal.role is Role.VOLUNTEER:
        me = await _me(current)
        volunteer_id = me["id"] if me else ""
    handed_over_by = str(form.get("handed_over_by") or "").strip() or (
        COUNTER if current.principal.role is Role.VOLUNTEER else ""
    )
    answer = await current.services.post(
        "volunteers",
        f"/shop/items/{item_id}/redemptions",
        {"volunteer_id": volunteer_id, "handed_over_by": handed_over_by},
    )
    return _landing(answer, _after(form, "/volunteering/shop"), {"volunteer_id", "handed_over_by"})


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
    return _landing(answer, _after(form, "/volunteering/shop"), {"reason"})


# -- leaderboards --------------------------------------------------------------------------


def periods(now: datetime) -> list[str]:
    """This month, quarter and year, and the ones before them: past boards stay answerable."""
    local = now.astimezone(SHANGHAI)
    y, m = local.year, local.month
    q = (m - 1) // 3 + 1
    last_month = (y, m - 1) if m > 1 else (y - 1, 12)
    last_quarter = (y, q - 1) if q > 1 else (y - 1, 4)
    return [
        f"{y}",
        f"{y}-Q{q}",
        f"{y}-{m:02d}",
        f"{last_month[0]}-{last_month[1]:02d}",
        f"{last_quarter[0]}-Q{last_quarter[1]}",
        f"{y - 1}",
    ]


@router.get("/leaderboards", response_class=HTMLResponse)
async def leaderboards(
    request: Request,
    community: str | None = None,
    period: str | None = None,
    team: str | None = None,
    current: Session = Depends(needs(*VOLUNTEERING)),
) -> Response:
    """Ranked by lifetime points earned in the period: redeeming never lowers a rank."""
    code = _community(current, community)
    choices = periods(datetime.now(UTC))
    chosen = period or choices[0]
    board, teams = await asyncio.gather(
        current.services.get(
            "volunteers", "/leaderboards", community_code=code, period=chosen, team_id=team or None
        ),
        current.services.get("volunteers", "/teams", community_code=code),
    )
    me = await _me(current)
    return render(
        request,
        "volunteering_leaderboards.html",
        community=code,
        communities=sorted(current.principal.scope.communities),
        periods=choices if chosen in choices else [chosen, *choices],
        period=chosen,
        team=team or "",
        teams=teams.body if teams.ok else [],
        rows=board.body.get("rows", []) if board.ok and isinstance(board.body, dict) else [],
        error=None if board.ok else _problem(board, {"period"}),
        me=me,
    )


# -- the mobilisation board ----------------------------------------------------------------


async def _board(request: Request, current: Session, community: str | None, template: str):
    code = _community(current, community)
    found, names, me = await asyncio.gather(
        current.services.get("volunteers", "/mobilisations", community_code=code),
        _names(current, code),
        _me(current),
    )
    # The open ones first, the newest first within each.
    newest = sorted(found.body if found.ok else [], key=lambda m: m["started_at"], reverse=True)
    mobilisations = sorted(newest, key=lambda m: m["status"] != "active")
    for m in mobilisations:
        calls = m["call_ups"]
        m["counts"] = {
            "called": len(calls),
            "accepted": sum(1 for c in calls if c["accepted"] is True),
            "declined": sum(1 for c in calls if c["accepted"] is False),
            "on_site": sum(1 for c in calls if c["arrived_at"] and not c["left_at"]),
        }
        m["mine"] = next((c for c in calls if me and c["volunteer_id"] == me["id"]), None)
    return render(
        request,
        template,
        community=code,
        communities=sorted(current.principal.scope.communities),
        mobilisations=mobilisations,
        names=names,
        me=me,
        coordinator=current.may(*COORDINATORS),
        error=request.query_params.get("error"),
    )


@router.get("/mobilisations", response_class=HTMLResponse)
async def mobilisations(
    request: Request, community: str | None = None, current: Session = Depends(needs(*VOLUNTEERING))
) -> Response:
    return await _board(request, current, community, "volunteering_mobilisations.html")


@router.get("/mobilisations/board", response_class=HTMLResponse)
async def mobilisation_board(
    request: Request, community: str | None = None, current: Session = Depends(needs(*VOLUNTEERING))
) -> Response:
    """The board alone, fetched again every few seconds by the page (htmx)."""
    return await _board(request, current, community, "_mobilisation_board.html")


MOBILISATION_STEPS = {
    "accept": "answers",
    "decline": "answers",
    "check-in": "check-in",
    "check-out": "check-out",
}


@router.post("/mobilisations/{mobilisation_id}/{step}")
async def respond(
    mobilisation_id: UUID,
    step: str,
    request: Request,
    current: Session = Depends(needs(*VOLUNTEERING)),
) -> Response:
    """A volunteer answers her call-up and arrives on site; a coordinator records it for anyone."""
    if step not in MOBILISATION_STEPS:
        raise PageError(404, "not_found")
    form = await request.form()
    volunteer_id = str(form.get("volunteer_id") or "")
    if current.principal.role is Role.VOLUNTEER:
        me = await _me(current)
        volunteer_id = me["id"] if me else ""
    body: dict[str, Any] = {"volunteer_id": volunteer_id}
    if MOBILISATION_STEPS[step] == "answers":
        body["accepted"] = step == "accept"
    answer = await current.services.post(
        "volunteers", f"/mobilisations/{mobilisation_id}/{MOBILISATION_STEPS[step]}", body
    )
    return _landing(answer, _after(form, "/volunteering/mobilisations"))


# -- the dashboard's figures ---------------------------------------------------------------


async def dashboard_figures(current: Session, community: dict | None) -> dict[str, Any] | None:
    """This month's volunteering over the dashboard's communities (volunteers' `/figures`,
    summed): volunteers registered, those who served, their hours and points, and the
    mobilisations still open. None for a role that does not work with volunteers, or when
    volunteers does not answer (no figures rather than zeros)."""
    if not current.may(*VOLUNTEERING):
        return None
    codes = [community["code"]] if community else sorted(current.principal.scope.communities)
    month = datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m")
    answers = await asyncio.gather(
        *(
            current.services.get("volunteers", "/figures", community_code=c, period=month)
            for c in codes
        )
    )
    found = [a.body for a in answers if a.ok and isinstance(a.body, dict)]
    if not found:
        return None
    total = {
        key: sum(Decimal(str(f[key])) for f in found)
        for key in ("volunteers", "served", "hours", "points", "open_mobilisations")
    }
    return {"month": month, **{k: int(v) if k != "hours" else v for k, v in total.items()}}
