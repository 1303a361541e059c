"""Residents' deliberation (议事, issue #18): the list, one deliberation with its record and its
agreed items' outcomes, the forms that record them (phone first: a building leader records the
bench meeting on the stairs), the incident page's "议事" section and the dashboard's figure.

Everything is read from and written to resources with the user's token; resources reports an
item's incident to incidents as the same user. A refusal is shown beside the form with the
field it names (422), or as the page's own 403/404/409.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.entrypoints.list_pages import (
    chosen,
    communities,
    community_names,
    resources_get,
)
from console.entrypoints.record_steps import answered, lines, local_moment, problem, send
from console.entrypoints.web import REPORTERS, PageError, Session, needs, render, session

router = APIRouter()

KINDS = ("bench_meeting", "yard_meeting", "residents_council", "mediation")
LEVELS = ("building", "area", "community")
OUTCOMES = ("need", "incident", "resolved_locally")
URGENCIES = ("general", "utilities", "emergency", "complex")  # incidents' own
# The record's steps: (form's step, resources' method and path under the deliberation).
STEPS = {
    "agenda": ("PUT", "agenda"),
    "attendance": ("PUT", "attendance"),
    "items": ("POST", "items"),
    "minutes": ("PUT", "minutes"),
    "close": ("POST", "close"),
}
TURNS = {"need": "need", "incident": "incident", "resolution": "resolution"}


@router.get("/deliberations", response_class=HTMLResponse)
async def list_page(
    request: Request, community: str | None = None, current: Session = Depends(session)
) -> Response:
    code = chosen(current, community)
    places, found = await asyncio.gather(
        communities(current), resources_get(current, "/deliberations", community_code=code)
    )
    found.sort(key=lambda d: d["held_at"], reverse=True)
    return render(
        request,
        "deliberations.html",
        deliberations=found,
        community=code,
        communities=places,
        may_record=current.may(*REPORTERS),
    )


def _new_form(request: Request, places: list[dict], status: int = 200, **extra: Any) -> Response:
    form = extra.pop("form", {})
    return render(
        request,
        "deliberation_new.html",
        status,
        communities=places,
        kinds=KINDS,
        levels=LEVELS,
        form=form,
        **({"errors": {}, "error": None} | extra),
    )


@router.get("/deliberations/new", response_class=HTMLResponse)
async def new_page(request: Request, current: Session = Depends(needs(*REPORTERS))) -> Response:
    return _new_form(request, await communities(current))


@router.post("/deliberations/new")
async def hold(request: Request, current: Session = Depends(needs(*REPORTERS))) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    body = {
        "community_code": form.get("community_code", ""),
        "kind": form.get("kind", ""),
        "level": form.get("level") or None,
        "grid_node_code": form.get("grid_node_code", "").strip(),
        "topic": form.get("topic", "").strip(),
        "held_at": local_moment(form.get("held_at", "")),
        "incident_ids": lines(form.get("incident_ids", "")),
    }
    answer = await current.services.post("resources", "/deliberations", body)
    if answer.status == 201:
        return RedirectResponse(f"/deliberations/{answer.body['id']}", status_code=303)
    if answer.status in (403, 404) and not isinstance(answer.body, dict):
        raise PageError(answer.status, "forbidden")
    refused = problem(answer, request, set(body))
    if not refused["error"] and not refused["errors"]:
        refused["error"] = (answer.body or {}).get("detail") if answer.body else None
    return _new_form(
        request,
        await communities(current),
        answer.status if answer.status < 500 else 503,
        form=form,
        **refused,
    )


@router.get("/deliberations/card", response_class=HTMLResponse)
async def card(request: Request, current: Session = Depends(session)) -> Response:
    """The dashboard's figure: deliberations held this month per community, and their outcomes."""
    answer = await current.services.get("resources", "/deliberations/figures")
    rows = answer.body if answer.ok and isinstance(answer.body, list) else []
    return render(request, "_deliberation_card.html", rows=rows, outcomes=OUTCOMES)


@router.get("/deliberations/of-incident/{incident_id}", response_class=HTMLResponse)
async def of_incident(
    incident_id: UUID, request: Request, current: Session = Depends(session)
) -> Response:
    """The incident page's "议事" section: the deliberations the incident went through."""
    answer = await current.services.get("resources", f"/incidents/{incident_id}/deliberations")
    if not answer.ok:  # a role that reads no deliberation (a department): no section
        return Response(status_code=204)
    return render(
        request,
        "_deliberations_of_incident.html",
        deliberations=answer.body,
        incident_id=str(incident_id),
    )


async def _page(
    request: Request, current: Session, deliberation_id: UUID, status: int = 200, **extra: Any
) -> Response:
    d = await resources_get(current, f"/deliberations/{deliberation_id}")
    name, units = await community_names(current, d["community_code"])
    return render(
        request,
        "deliberation.html",
        status,
        d=d,
        community_name=name,
        units=units,
        may_record=current.may(*REPORTERS),
        outcomes=OUTCOMES,
        urgencies=URGENCIES,
        **({"errors": {}, "error": None, "failed": None} | extra),
    )


@router.get("/deliberations/{deliberation_id}", response_class=HTMLResponse)
async def deliberation_page(
    deliberation_id: UUID, request: Request, current: Session = Depends(session)
) -> Response:
    return await _page(request, current, deliberation_id)


def _step_body(step: str, form: dict[str, str]) -> dict[str, Any] | None:
    if step == "agenda":
        return {"agenda": lines(form.get("agenda", ""))}
    if step == "attendance":
        return {
            "households": [h for h in form.get("households", "").splitlines() if h.strip()],
            "member_unit_codes": lines(form.get("member_unit_codes", "")),
            "mediators": lines(form.get("mediators", "")),
        }
    if step == "items":
        return {"text": form.get("text", "").strip()}
    if step == "minutes":
        return {"minutes": form.get("minutes", "").strip()}
    return None


async def _answered(
    request: Request, current: Session, deliberation_id: UUID, answer: Any, failed: str, fields
) -> Response:
    async def again(status: int, **refused: Any) -> Response:
        return await _page(request, current, deliberation_id, status, **refused)

    back = f"/deliberations/{deliberation_id}"
    return await answered(request, answer, back, again, failed, fields)


@router.post("/deliberations/{deliberation_id}/record/{step}")
async def record(
    deliberation_id: UUID,
    step: str,
    request: Request,
    current: Session = Depends(needs(*REPORTERS)),
) -> Response:
    if step not in STEPS:
        raise PageError(404, "not_found")
    form = {k: str(v) for k, v in (await request.form()).items()}
    method, path = STEPS[step]
    body = _step_body(step, form)
    answer = await send(current, method, f"/deliberations/{deliberation_id}/{path}", body)
    return await _answered(request, current, deliberation_id, answer, step, set(body or {}))


@router.post("/deliberations/{deliberation_id}/items/{number}/{turn}")
async def turn_item(
    deliberation_id: UUID,
    number: int,
    turn: str,
    request: Request,
    current: Session = Depends(needs(*REPORTERS)),
) -> Response:
    """An agreed item into a need, an incident (new, or the one talked through) or a local
    resolution."""
    if turn not in TURNS:
        raise PageError(404, "not_found")
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    if turn == "need":
        count = form.get("affected_count", "")
        body: dict[str, Any] = {
            "category": form.get("category", ""),
            "affected": form.get("affected", ""),
            "affected_count": int(count) if count.isdigit() else count,
        }
    elif turn == "incident":
        body = (
            {"incident_id": form["incident_id"]}
            if form.get("incident_id")
            else {
                "micro_grid_code": form.get("micro_grid_code") or None,
                "category": form.get("category") or None,
                "urgency": form.get("urgency") or "general",
            }
        )
    else:
        body = {"settlement": form.get("settlement", "")}
    path = f"/deliberations/{deliberation_id}/items/{number}/{TURNS[turn]}"
    answer = await current.services.post("resources", path, body)
    failed = f"item-{number}-{turn}"
    return await _answered(request, current, deliberation_id, answer, failed, set(body))
