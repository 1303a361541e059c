"""The wish board (微心愿), phone first: 点单 record → 派单 publish → 接单 claim → deliver →
销单 close.

The board is resources' `/wishes/board`: the wish and its grid, never the resident. The grid
(grid leaders, coordinators) records and publishes wishes and opens a wish's own page, the only
one that shows the resident's name and contact, to close it after confirming with the resident.
A liaison claims for its unit and a volunteer as a party member, each with one button; of two
claims at once resources takes one and answers the other 409, which the board shows beside the
wish, naming who has it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.domain import lists
from console.domain.forms import field_errors
from console.domain.i18n import translator
from console.entrypoints.list_pages import (
    chosen,
    communities,
    community_names,
    export_by_community,
    unit_names,
    wish_rates,
)
from console.entrypoints.list_search import PAGE_SIZE, asked
from console.entrypoints.web import COORDINATORS, PageError, Session, page_language, render, session
from lianxin.auth import Principal, Role

router = APIRouter()

GRID = (Role.GRID_LEADER, *COORDINATORS)
BOARD_FILTERS = ("community", "status", "grid", "from", "to")
ON_BOARD = ("published", "claimed", "delivered")  # resources' board shows no other
CLAIMANTS = (Role.MEMBER_UNIT_LIAISON, Role.VOLUNTEER)
WISH_FIELDS = {"grid_node_code", "title", "description", "resident_name", "resident_contact"}
# Each step: the field resources' body takes from the form (None: no body).
STEPS: dict[str, str | None] = {
    "publish": None,
    "claim": None,
    "deliver": "note",
    "return": "reason",
    "close": None,
    "withdraw": "reason",
}


def mine(principal: Principal, wish: dict) -> bool:
    """Whether the user is the wish's claimant: a liaison's unit, or the volunteer herself."""
    if principal.role is Role.MEMBER_UNIT_LIAISON:
        return wish.get("claimant_kind") == "member_unit" and (
            wish.get("claimant_id") == principal.scope.member_unit
        )
    if principal.role is Role.VOLUNTEER:
        return wish.get("claimant_kind") == "party_member" and (
            wish.get("claimant_id") == principal.subject
        )
    return False


def _claimant(wish: dict) -> dict:
    """A wish as the board shows it: the grid's own list nests the claimant, the board does not."""
    held = wish.get("claimant") or {}
    return {
        **wish,
        "claimant_kind": wish.get("claimant_kind") or held.get("kind"),
        "claimant_id": wish.get("claimant_id") or held.get("id"),
    }


async def _grid_nodes(current: Session) -> list[dict]:
    """The grids and micro-grids a wish may be recorded against (those the user sees)."""
    answer = await current.services.get("incidents", "/grid-nodes")
    nodes = answer.body if answer.ok and isinstance(answer.body, list) else []
    return [n for n in nodes if n.get("kind") in ("grid", "micro_grid")]


async def _board(
    request: Request,
    current: Session,
    community: str | None,
    status_code: int = 200,
    **form: Any,
) -> Response:
    shown = asked(request, BOARD_FILTERS, community=chosen(current, community))
    code = shown.found.get("community")
    grid = current.may(*GRID)
    now = datetime.now(UTC)
    places = await communities(current)
    codes = [code] if code else [c["code"] for c in places]
    board, everything, raised, rates, units, nodes = await asyncio.gather(
        current.services.get(
            "resources",
            "/wishes/board",
            limit=PAGE_SIZE,
            offset=(shown.page - 1) * PAGE_SIZE,
            **shown.api(),
        ),
        current.services.get("resources", "/wishes", community_code=code, status="recorded")
        if grid
        else _none(),
        current.services.get("resources", "/wishes/raised", community_code=code)
        if grid
        else _none(),
        wish_rates(current, codes, now),
        unit_names(current, codes),
        _grid_nodes(current),
    )
    if board.status == 403:
        raise PageError(403, "forbidden")
    if board.status in (404, 422):
        raise PageError(404, "not_found")
    listed = [_claimant(w) for w in board.body] if board.ok else []
    recorded = everything.body if everything is not None and everything.ok else []
    t = translator(page_language(request))
    return render(
        request,
        "wishes.html",
        status_code,
        community=code,
        communities=places,
        asked=shown,
        total=int(board.headers.get("x-total-count", len(listed))),
        choices=[
            {
                "name": "status",
                "label": "incident.status",
                "options": [(s, t(f"ls.wish.{s}")) for s in ON_BOARD],
            },
            {
                "name": "grid",
                "label": "ls.grid",
                "options": sorted(((n["code"], n["name"]) for n in nodes), key=lambda g: g[1]),
            },
        ],
        waiting=[w for w in listed if w["status"] == "published"],
        under_way=[w for w in listed if w["status"] != "published"],
        recorded=recorded,
        raised={r["wish_id"]: r for r in (raised.body if raised and raised.ok else [])},
        rate=lists.fulfilment(rates),
        rates=rates,
        period=lists.year_period(now)[0],
        units=units,
        nodes=nodes,
        node_names={n["code"]: n["name"] for n in nodes},
        grid=grid,
        may_claim=current.may(*CLAIMANTS) and not current.principal.is_platform,
        mine={w["id"] for w in listed if mine(current.principal, w)},
        unavailable=not board.ok,
        notice=form.get("notice"),
        form=form.get("form", {}),
        errors=form.get("errors", {}),
        form_error=form.get("form_error"),
    )


async def _none() -> None:
    return None


@router.get("/wishes", response_class=HTMLResponse)
async def wish_board(
    request: Request, community: str | None = None, current: Session = Depends(session)
) -> Response:
    return await _board(request, current, community)


@router.get("/wishes/export.{form}")
async def export_wishes(
    form: str, request: Request, current: Session = Depends(session)
) -> Response:
    """Every wish the board shows with these filters, as CSV or Excel (never the resident)."""
    shown = asked(request, BOARD_FILTERS, community=chosen(current, None))
    return await export_by_community(
        request, current, form, "wishes", "/wishes/board", shown, "nav.wishes"
    )


@router.post("/wishes")
async def record_wish(request: Request, current: Session = Depends(session)) -> Response:
    """点单: the grid writes down a resident's wish, and (unless asked not to) publishes it."""
    form = dict(await request.form())
    node = str(form.get("grid_node_code", ""))
    nodes = {n["code"]: n for n in await _grid_nodes(current)}
    scope = sorted(current.principal.scope.communities)
    community = nodes[node]["community_code"] if node in nodes else (scope[0] if scope else "")
    body = {"community_code": community, **{f: str(form.get(f, "")).strip() for f in WISH_FIELDS}}
    answer = await current.services.post("resources", "/wishes", body)
    if answer.ok and form.get("publish") == "on":
        answer = await current.services.post("resources", f"/wishes/{answer.body['id']}/publish")
    if answer.ok:
        return RedirectResponse(f"/wishes#wish-{answer.body['id']}", status_code=303)
    if answer.status == 403:
        raise PageError(403, "forbidden")
    errors, message = field_errors(answer.body, WISH_FIELDS, page_language(request))
    return await _board(request, current, None, 422, form=form, errors=errors, form_error=message)


@router.get("/wishes/{wish_id}", response_class=HTMLResponse)
async def wish_page(
    wish_id: UUID, request: Request, current: Session = Depends(session)
) -> Response:
    """The grid's page of one wish: the resident's name and contact, to confirm before closing."""
    return await _wish(request, current, wish_id)


async def _wish(
    request: Request, current: Session, wish_id: UUID, status_code: int = 200, **form: Any
) -> Response:
    answer = await current.services.get("resources", f"/wishes/{wish_id}")
    if answer.status == 403:
        raise PageError(403, "forbidden")
    if not answer.ok:
        raise PageError(404 if answer.status < 500 else 503, "not_found")
    wish = _claimant(answer.body)
    (name, units), nodes = await asyncio.gather(
        community_names(current, wish["community_code"]), _grid_nodes(current)
    )
    node = next((n["name"] for n in nodes if n["code"] == wish["grid_node_code"]), None)
    return render(
        request,
        "wish.html",
        status_code,
        wish=wish,
        community_name=name,
        node_name=node,
        units=units,
        notice=form.get("notice"),
        step=form.get("step"),
        errors=form.get("errors", {}),
    )


@router.post("/wishes/{wish_id}/{step}")
async def wish_step(
    wish_id: UUID, step: str, request: Request, current: Session = Depends(session)
) -> Response:
    """One step of a wish; back to the board (or the wish's page) when resources took it,
    otherwise the same page again with resources' answer beside the wish."""
    if step not in STEPS:
        raise PageError(404, "not_found")
    form = await request.form()
    field = STEPS[step]
    body = {field: str(form.get(field, "")).strip()} if field else ({} if step == "claim" else None)
    answer = await current.services.post("resources", f"/wishes/{wish_id}/{step}", body)
    on_page = form.get("back") == "wish"
    if answer.ok:
        target = f"/wishes/{wish_id}" if on_page else f"/wishes#wish-{wish_id}"
        return RedirectResponse(target, status_code=303)
    if answer.status in (403, 404):
        raise PageError(answer.status, "forbidden" if answer.status == 403 else "not_found")
    errors, message = field_errors(answer.body, {field} if field else set(), page_language(request))
    notice = {
        "wish_id": str(wish_id),
        "step": step,
        # 409: somebody else was first (or the wish moved on); the page says who has it now.
        "conflict": answer.status == 409,
        "detail": message if answer.status != 409 else None,
        "errors": errors,
    }
    status = 409 if answer.status == 409 else 422 if answer.status < 500 else 503
    if on_page:
        return await _wish(request, current, wish_id, status, notice=notice, step=step)
    community = str(form.get("community") or "") or None
    return await _board(request, current, community, status, notice=notice)
