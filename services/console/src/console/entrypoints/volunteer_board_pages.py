"""Leaderboards, the live mobilisation board, and the dashboard's volunteer figures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from console.domain.deadlines import LOCAL
from console.domain.i18n import translator
from console.entrypoints.list_search import asked, one_page
from console.entrypoints.volunteering_web import (
    community_shown,
    landing,
    my_profile,
    next_page,
    refusal,
    volunteer_names,
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


def periods(now: datetime) -> list[str]:
    """This month, quarter and year, and the ones before them: past boards stay answerable."""
    local = now.astimezone(LOCAL)
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
    code = community_shown(current, community)
    choices = periods(datetime.now(UTC))
    chosen = period or choices[0]
    board, teams = await asyncio.gather(
        current.services.get(
            "volunteers", "/leaderboards", community_code=code, period=chosen, team_id=team or None
        ),
        current.services.get("volunteers", "/teams", community_code=code),
    )
    me = await my_profile(current)
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
        error=None if board.ok else refusal(board, page_language(request), {"period"}),
        me=me,
    )


# -- the mobilisation board ----------------------------------------------------------------


async def _board(request: Request, current: Session, community: str | None, template: str):
    code = community_shown(current, community)
    shown = asked(request, ("community", "status", "grid", "from", "to"), community=code)
    (found, total), names, me, nodes = await asyncio.gather(
        one_page(current, "volunteers", "/mobilisations", shown),
        volunteer_names(current, code),
        my_profile(current),
        current.services.get("incidents", "/grid-nodes", community_code=code),
    )
    mobilisations = found  # volunteers' order: the open ones first, the newest first within
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
        asked=shown,
        total=total,
        choices=_choices(request, nodes.body if nodes.ok else []),
        volunteer_names=names,
        # The grid's name where the user may read the grid tree; its code otherwise.
        node_names={n["code"]: n["name"] for n in nodes.body} if nodes.ok else {},
        me=me,
        coordinator=current.may(*COORDINATORS),
        error=request.query_params.get("error"),
    )


def _choices(request: Request, nodes: list[dict]) -> list[dict]:
    t = translator(page_language(request))
    grids = [(n["code"], n["name"]) for n in nodes if n.get("kind") in ("grid", "micro_grid")]
    return [
        {
            "name": "status",
            "label": "incident.status",
            "options": [(s, t(f"mob.{s}")) for s in ("active", "closed")],
        },
        {"name": "grid", "label": "ls.grid", "options": sorted(grids, key=lambda g: g[1])},
    ]


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
        me = await my_profile(current)
        volunteer_id = me["id"] if me else ""
    body: dict[str, Any] = {"volunteer_id": volunteer_id}
    if MOBILISATION_STEPS[step] == "answers":
        body["accepted"] = step == "accept"
    answer = await current.services.post(
        "volunteers", f"/mobilisations/{mobilisation_id}/{MOBILISATION_STEPS[step]}", body
    )
    return landing(answer, next_page(form, "/volunteering/mobilisations"), page_language(request))


# -- the dashboard's figures ---------------------------------------------------------------


async def dashboard_figures(current: Session, community: dict | None) -> dict[str, Any] | None:
    """This month's volunteering over the dashboard's communities (volunteers' `/figures`,
    summed): volunteers registered, those who served, their hours and points, and the
    mobilisations still open. None for a role that does not work with volunteers, or when
    volunteers does not answer (no figures rather than zeros)."""
    if not current.may(*VOLUNTEERING):
        return None
    codes = [community["code"]] if community else sorted(current.principal.scope.communities)
    month = datetime.now(UTC).astimezone(LOCAL).strftime("%Y-%m")
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
