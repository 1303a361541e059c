"""A volunteer's passbook and shifts, activities with their shifts, and the shift steps: sign-up,
cancellation, check-in, check-out and no-show."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from console.domain import i18n
from console.domain.i18n import translator
from console.entrypoints.list_search import asked, every_row, exported, grid_choices, one_page
from console.entrypoints.volunteering_web import (
    CHECK_IN_OPENS,
    VOLUNTEER,
    community_shown,
    landing,
    my_profile,
    next_page,
    parsed_time,
)
from console.entrypoints.web import (
    COORDINATORS,
    VOLUNTEERING,
    PageError,
    Session,
    needs,
    page_language,
    render,
)
from lianxin.auth import Role

router = APIRouter(prefix="/volunteering")


# -- my passbook and shifts ----------------------------------------------------------------


def _attendance(shift: dict, volunteer_id: str) -> dict | None:
    return next((s for s in shift.get("sign_ups", []) if s["volunteer_id"] == volunteer_id), None)


def _shift_view(shift: dict, now: datetime, mine: dict | None = None) -> dict:
    starts, ends = parsed_time(shift["starts_at"]), parsed_time(shift["ends_at"])
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
    me = await my_profile(current)
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
    # A shift called off stays among those to come until its time, with its reason: she sees
    # why she need not go.
    coming = ("signed_up", "checked_in", "released")
    ahead = [v for v in views if v["status"] in coming and not v["ended"]]
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


ACTIVITY_FILTERS = ("community", "kind", "node")
# volunteers' activity kinds: those the console has words for (volunteers refuses any other).
KINDS = tuple(k.removeprefix("kind.") for k in i18n.area("volunteering") if k.startswith("kind."))


@router.get("/activities", response_class=HTMLResponse)
async def activities(
    request: Request,
    community: str | None = None,
    current: Session = Depends(needs(*VOLUNTEERING)),
) -> Response:
    """One community's activities, searched, filtered and paged by volunteers."""
    return await activities_page(request, current, community)


async def activities_page(
    request: Request, current: Session, community: str | None, status_code: int = 200, **extra: Any
) -> Response:
    """The list, and for coordinators the form that plans an activity (`extra`: that form sent
    back with volunteers' refusal)."""
    code = community_shown(current, community)
    shown = asked(request, ACTIVITY_FILTERS, community=code)
    (found, total), teams, grids = await asyncio.gather(
        one_page(current, "volunteers", "/activities", shown),
        current.services.get("volunteers", "/teams", community_code=code),
        grid_choices(current, code),
    )
    t = translator(page_language(request))
    kinds = [(k, t(f"kind.{k}")) for k in KINDS]
    return render(
        request,
        "volunteering_activities.html",
        status_code,
        community=code,
        communities=sorted(current.principal.scope.communities),
        activities=found,
        total=total,
        asked=shown,
        choices=[
            {"name": "kind", "label": "ls.kind", "options": kinds},
            {"name": "node", "label": "ls.grid", "options": grids},
        ],
        teams={t["id"]: t for t in teams.body} if teams.ok else {},
        may_plan=current.may(*COORDINATORS),
        kinds=kinds,
        grids=grids,
        **extra,
    )


@router.get("/activities/export.{form}")
async def export_activities(
    form: str, request: Request, current: Session = Depends(needs(*VOLUNTEERING))
) -> Response:
    """Every activity the list shows with these filters, as CSV or Excel."""
    shown = asked(request, ACTIVITY_FILTERS, community=community_shown(current, None))
    rows = await every_row(current, "volunteers", "/activities", shown.api())
    return exported(request, form, "activities", rows, {}, "nav.activities")


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
async def activity(
    activity_id: UUID,
    request: Request,
    error: str | None = None,
    current: Session = Depends(needs(*VOLUNTEERING)),
) -> Response:
    """An activity's shifts: sign-up for volunteers; the roster, the code and check-in for the
    team's leader (and the roster and code for coordinators, to show at the door)."""
    return await activity_page(request, current, activity_id, error=error)


async def activity_page(
    request: Request, current: Session, activity_id: UUID, status_code: int = 200, **extra: Any
) -> Response:
    """The activity's page; for coordinators with the form that schedules a shift (`extra`:
    that form sent back with volunteers' refusal)."""
    activity = await _activity(current, activity_id)
    shifts, teams, me = await asyncio.gather(
        current.services.get("volunteers", f"/activities/{activity_id}/shifts"),
        current.services.get("volunteers", "/teams", community_code=activity["community_code"]),
        my_profile(current),
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
        status_code,
        activity=activity,
        shifts=views,
        team=team,
        me=me,
        is_volunteer=current.principal.role is Role.VOLUNTEER,
        may_plan=current.may(*COORDINATORS),
        **({"error": None} | extra),
    )


@router.post("/shifts/{shift_id}/sign-up")
async def sign_up(
    shift_id: UUID, request: Request, current: Session = Depends(needs(*VOLUNTEER))
) -> Response:
    form = await request.form()
    answer = await current.services.post("volunteers", f"/shifts/{shift_id}/sign-ups")
    return landing(answer, next_page(form, "/volunteering/me"), page_language(request))


@router.post("/shifts/{shift_id}/cancel")
async def cancel_sign_up(
    shift_id: UUID, request: Request, current: Session = Depends(needs(*VOLUNTEER))
) -> Response:
    form = await request.form()
    answer = await current.services.delete("volunteers", f"/shifts/{shift_id}/sign-ups/mine")
    return landing(answer, next_page(form, "/volunteering/me"), page_language(request))


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
        me = await my_profile(current)
        volunteer_id = me["id"] if me else ""
    body: dict[str, Any] = {"volunteer_id": volunteer_id}
    if code:
        body["code"] = code
    answer = await current.services.post("volunteers", f"/shifts/{shift_id}/{step}", body)
    return landing(
        answer,
        next_page(form, "/volunteering/me"),
        page_language(request),
        {"code", "volunteer_id"},
    )
