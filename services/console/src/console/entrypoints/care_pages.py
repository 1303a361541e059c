"""The care register's pages (重点人群关爱, issue #18), phone first.

- `/care`: a carer's own people, soonest due first, each with a form to record a visit; for a
  carer who is a registered volunteer, what her care visits earned (hours and points, credited
  by volunteers from organisation's `org.care_visit.recorded`);
- `/care/grids/{grid}`: a grid's care page (the entries the user may read, overdue visits,
  visits waiting to become a need, this month's collective birthday);
- `/care/card`: the dashboard's card, figures per grid only (loaded into the dashboard by htmx).

Every page that shows a person asks organisation with a purpose, which it writes to the entry's
access log. A visit's outcome becomes a need in resources (an HTTP call for the user's request,
DESIGN.md): the grid leader or a coordinator raises it with one button; resources gets the
outcome and the grid, never the person's name (the need's `origin_ref` links back to the visit,
and organisation links the visit to the need).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.domain import party_households
from console.entrypoints.web import COORDINATORS, PageError, Session, render, session
from lianxin.auth import Role

router = APIRouter()

GRID = (Role.GRID_LEADER, *COORDINATORS)
VISIT_KINDS = ("home_visit", "meal_delivery", "escort_to_doctor", "free_clinic", "haircut")
CARE_GROUPS = ("elderly", "living_alone", "disabled", "low_income")
OVER_60 = {"yongxinglu": 2249}  # the article's figure (lianxin.demo.care.RESIDENTS_OVER_60)


@router.get("/care", response_class=HTMLResponse)
async def my_people(request: Request, current: Session = Depends(session)) -> Response:
    answer = await current.services.get("organisation", "/care/mine", purpose="上门走访")
    if not answer.ok:
        raise PageError(503 if answer.status >= 500 else 403, "forbidden")
    notice = request.query_params.get("notice")
    return await _mine(request, current, 200, answer.body, notice=notice)


async def _mine(
    request: Request, current: Session, status: int, people: list, **more: Any
) -> Response:
    """The carer's page; for a carer who is a registered volunteer, also what her care visits
    earned her (from volunteers, with her own token: its care services, by visit)."""
    return render(
        request,
        "care.html",
        status,
        people=people,
        grids=await _grids_kept(current),
        kinds=VISIT_KINDS,
        services=await _care_services(current),
        **more,
    )


async def _care_services(current: Session) -> list[dict[str, Any]] | None:
    """The care services credited to the user as a volunteer, newest first; None when the user
    is no volunteer (a grid member, a family contact: their visits earn no points)."""
    if not current.may(Role.VOLUNTEER):
        return None
    me = await current.services.get("volunteers", "/my/volunteer")
    if not me.ok:
        return None
    answer = await current.services.get("volunteers", f"/volunteers/{me.body['id']}/care-services")
    return answer.body[:10] if answer.ok else []


async def _grids_kept(current: Session) -> list[str]:
    """The grids whose care page the user keeps: a grid leader's own grids, a coordinator's
    grids with people in care. A carer has none (only their own people, above)."""
    if current.may(Role.GRID_LEADER):
        return sorted(current.principal.scope.grid_nodes)
    if not current.may(*COORDINATORS):
        return []
    return sorted({row["grid_code"] for row in await _counts(current)})


async def _counts(current: Session) -> list[dict[str, Any]]:
    rows = []
    for code in sorted(current.principal.scope.communities):
        rows += await _community_counts(current, code)
    return rows


async def _community_counts(current: Session, code: str) -> list[dict[str, Any]]:
    answer = await current.services.get("organisation", "/care/counts", community_code=code)
    return [{**row, "community_code": code} for row in answer.body] if answer.ok else []


@router.post("/care/entries/{code}/visits")
async def record_visit(code: str, request: Request, current: Session = Depends(session)):
    form = dict(await request.form())
    minutes = str(form.get("minutes", "")).strip()
    body = {
        "kind": str(form.get("kind", "")),
        "outcome": str(form.get("outcome", "")).strip(),
        "needs_follow_up": form.get("needs_follow_up") == "on",
        # organisation names `minutes` in its 422 for anything but a whole number in range
        "minutes": int(minutes) if minutes.isdigit() else (minutes or None),
    }
    answer = await current.services.post("organisation", f"/care/entries/{code}/visits", body)
    back = str(form.get("back") or "/care")
    if not back.startswith("/care"):
        back = "/care"
    if answer.status == 422:
        mine = await current.services.get("organisation", "/care/mine", purpose="上门走访")
        people = mine.body if mine.ok else []
        return await _mine(request, current, 422, people, error=_detail(answer.body), failed=code)
    if not answer.ok:
        raise PageError(404 if answer.status < 500 else 503, "not_found")
    volunteer = await _care_services(current) is not None
    notice = "care.recorded_volunteer" if volunteer else "care.recorded"
    if body["needs_follow_up"]:
        raised = current.may(*GRID) and await _raise_need(current, answer.body)
        notice = "care.need_raised" if raised else "care.need_waiting"
    return RedirectResponse(f"{back}?notice={notice}", status_code=303)


@router.post("/care/visits/{visit_id}/need")
async def raise_need(visit_id: str, request: Request, current: Session = Depends(session)):
    form = dict(await request.form())
    visit = {
        "id": visit_id,
        "community_code": form.get("community_code", ""),
        "grid_code": form.get("grid_code", ""),
        "outcome": form.get("outcome", ""),
    }
    ok = current.may(*GRID) and await _raise_need(current, visit)
    grid = str(visit["grid_code"])
    return RedirectResponse(
        f"/care/grids/{grid}?notice={'care.need_raised' if ok else 'forbidden'}", status_code=303
    )


async def _raise_need(current: Session, visit: dict[str, Any]) -> bool:
    """One step: the need in resources (the outcome and the grid, no name), then the link back."""
    need = {
        "community_code": visit["community_code"],
        "grid_node_code": visit["grid_code"],
        "category": "elder_care",
        "title": str(visit["outcome"])[:200],
        "affected": "重点人群关爱对象",
        "affected_count": 1,
        "source": "resident",
        "origin_ref": f"care_visit:{visit['id']}",
    }
    made = await current.services.post("resources", "/needs", need)
    if not made.ok:
        return False
    linked = await current.services.post(
        "organisation", f"/care/visits/{visit['id']}/need", {"need_id": str(made.body["id"])}
    )
    return linked.ok


@router.get("/care/grids/{grid_code}", response_class=HTMLResponse)
async def grid_page(grid_code: str, request: Request, current: Session = Depends(session)):
    answer = await current.services.get(
        "organisation", f"/care/grids/{grid_code}", purpose="网格关爱页"
    )
    if not answer.ok:
        raise PageError(404 if answer.status < 500 else 503, "not_found")
    page = answer.body
    return render(
        request,
        "care_grid.html",
        page=page,
        people={e["code"]: e["name"] for e in page["entries"]},
        kinds=VISIT_KINDS,
        may_raise=current.may(*GRID),
        notice=request.query_params.get("notice"),
    )


@router.get("/care/card", response_class=HTMLResponse)
async def card(request: Request, current: Session = Depends(session)) -> Response:
    """Figures per grid for the dashboard: no name, no contact. Beside the register's people,
    each grid's party households and the households they keep an eye on. A grid leader's card
    has her grids only."""
    over_60 = sum(OVER_60.get(c, 0) for c in current.principal.scope.communities)
    rows = await _grid_figures(current)
    return render(
        request,
        "_care_card.html",
        rows=[rows[g] for g in sorted(rows)],
        groups=CARE_GROUPS,
        over_60=over_60,
        party=party_households.totals(rows.values()),
    )


async def _grid_figures(current: Session) -> dict[str, dict[str, Any]]:
    """Per grid of the user's communities (a grid leader's: her grids): the register's counts,
    party households and the households they link."""
    within = current.principal.scope.grid_nodes
    found: dict[str, dict[str, Any]] = {}
    for code in sorted(current.principal.scope.communities):
        counts, parties, nodes = await asyncio.gather(
            _community_counts(current, code),
            current.services.get(
                "organisation", "/party-organisations", community_code=code, kind="party_household"
            ),
            current.services.get("organisation", f"/communities/{code}/grid-nodes"),
        )
        # Without the tree, a grid leader's grids are her roots; a coordinator's, every grid.
        grids = party_households.grids_of(nodes.body, within) if nodes.ok else set(within)
        every_grid = not nodes.ok and not within
        for row in counts:
            if every_grid or row["grid_code"] in grids:
                found[row["grid_code"]] = row
        if parties.ok and nodes.ok:
            for grid, figures in party_households.by_grid(parties.body, nodes.body, grids).items():
                empty = {"grid_code": grid, "people": 0, "by_group": {}, "overdue": 0}
                found[grid] = found.get(grid, empty) | figures
    return found


def _detail(body: Any) -> str:
    if isinstance(body, dict):
        errors = body.get("errors") or []
        if errors:
            return "; ".join(f"{e.get('field')}: {e.get('detail')}" for e in errors)
        return str(body.get("detail") or "")
    return ""
