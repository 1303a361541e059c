"""The grid leader's inbox (report, triage, resolve locally) and an incident's own page, with
the coordinator's escalation and the grid's verification and feedback.

Each form posts here; the console calls incidents with the user's token and, when incidents
refuses, shows its problem+json `errors` beside the fields they name.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from console.adapters.services import Answer
from console.domain.forms import field_errors
from console.domain.i18n import translator
from console.entrypoints import assignment_pages, photo_pages, rating_pages
from console.entrypoints.incident_view import landing, load_incident, page
from console.entrypoints.web import (
    REPORTERS,
    PageError,
    Session,
    needs,
    page_language,
    render,
)
from console.entrypoints.web import session as signed_in
from lianxin.photos import upload_ceiling

router = APIRouter()
# The steps on one department's part (改派, 撤回, 催办, 延期, and the department's own).
router.include_router(assignment_pages.router)
# The resident's rating page: public, its link is its credential.
router.include_router(rating_pages.router)

REPORT_FIELDS = {
    "micro_grid_code",
    "category",
    "urgency",
    "description",
    "affected_households",
    "affected_merchants",
    "reporter_contact",
    "contact_consent",
}
URGENCIES = ("emergency", "utilities", "general", "complex")


async def _report_choices(current: Session) -> dict[str, Any]:
    nodes, departments = await asyncio.gather(
        current.services.get("incidents", "/grid-nodes"),
        current.services.get("incidents", "/departments"),
    )
    micro_grids = [n for n in nodes.body if n["kind"] == "micro_grid"] if nodes.ok else []
    categories = sorted(
        {c for d in (departments.body if departments.ok else []) for c in d["categories"]}
    )
    return {
        "micro_grids": micro_grids,
        "categories": categories,
        "urgencies": URGENCIES,
        **photo_pages.picker(current, nodes.body if nodes.ok else []),
    }


async def _inbox(
    request: Request, current: Session, status_code: int = 200, **form: Any
) -> Response:
    choices, listed = await asyncio.gather(
        _report_choices(current), current.services.get("incidents", "/incidents", limit=200)
    )
    incidents = listed.body if listed.ok else []
    return render(
        request,
        "inbox.html",
        status_code,
        **choices,
        to_handle=[i for i in incidents if i["status"] in {"reported", "accepted"}],
        in_hand=[i for i in incidents if i["status"] == "escalated"],
        to_verify=[i for i in incidents if i["status"] in {"resolved", "verified"}],
        form=form.get("form", {}),
        errors=form.get("errors", {}),
        form_error=form.get("form_error"),
    )


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, current: Session = Depends(needs(*REPORTERS))) -> Response:
    return await _inbox(request, current)


@router.post("/inbox/incidents", max_body_size=upload_ceiling())
async def report(request: Request, current: Session = Depends(needs(*REPORTERS))) -> Response:
    lang = page_language(request)
    if photo_pages.too_large_to_read(request, current):
        refused = photo_pages.refusal("photo_too_large", current, lang)
        return await _inbox(request, current, 413, form_error=refused)
    posted = await request.form()
    form = {k: v for k, v in posted.items() if isinstance(v, str)}
    refused_photo = await photo_pages.check(posted.get("photo"), current, lang)
    if refused_photo:
        return await _inbox(request, current, 422, form=form, errors=refused_photo)
    body: dict[str, Any] = {
        "micro_grid_code": form.get("micro_grid_code", ""),
        "category": form.get("category", ""),
        "urgency": form.get("urgency", ""),
        "description": form.get("description", "").strip(),
        "affected_households": _number(form.get("affected_households")),
        "affected_merchants": _number(form.get("affected_merchants")),
        "reporter": current.principal.name or current.principal.subject,
        "reporter_kind": "grid_leader" if current.principal.role == "grid_leader" else "officer",
        "reporter_contact": form.get("reporter_contact", "").strip(),
        "contact_consent": form.get("contact_consent") == "on",
        **photo_pages.where(form),
    }
    answer = await current.services.post("incidents", "/incidents", body)
    if answer.ok:
        return await photo_pages.after_report(current, answer.body["id"], posted.get("photo"))
    fields = REPORT_FIELDS | photo_pages.WHERE_FIELDS
    errors, message = field_errors(answer.body, fields, lang)
    return await _inbox(request, current, 422, form=form, errors=errors, form_error=message)


def _number(value: Any) -> Any:
    """The number typed, or what was typed (for incidents to name the field it rejects)."""
    text = str(value or "").strip()
    if not text:
        return 0
    return int(text) if text.lstrip("-").isdigit() else text


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
async def incident_page(
    incident_id: UUID, request: Request, current: Session = Depends(signed_in)
) -> Response:
    return await page(request, current, await load_incident(current, incident_id))


@router.get("/incidents/{incident_id}/fragment", response_class=HTMLResponse)
async def incident_fragment(
    incident_id: UUID, request: Request, current: Session = Depends(signed_in)
) -> Response:
    """The live part of the page, fetched again when an event about the incident arrives."""
    return await page(request, current, await load_incident(current, incident_id), "_incident.html")


@router.post("/incidents/{incident_id}/merge-into/{target_id}")
async def merge_into(
    incident_id: UUID, target_id: UUID, request: Request, current: Session = Depends(signed_in)
) -> Response:
    """This report is the same problem as an earlier one: take it into that one."""
    answer = await current.services.post(
        "incidents", f"/incidents/{target_id}/merge", {"duplicate_id": str(incident_id)}
    )
    return await landing(
        request, current, incident_id, answer, action="merge", form={}, fields=set(), then=target_id
    )


# Each action: the form's fields → incidents' body, and the fields errors may name.
ACTIONS: dict[str, tuple[str, set[str]]] = {
    "triage": ("triage", {"accepted", "reason"}),
    "local-resolution": ("local-resolution", {"result"}),
    "escalation": ("escalation", {"department_codes", "lead_department_code"}),
    "verification": ("verification", {"note"}),
    "feedback": ("feedback", {"rating", "comment"}),
    "cancellation": ("cancellation", {"reason"}),
    "sharing": ("sharing", {"community_codes", "reason"}),
    "anonymisation": ("anonymisation", set()),
}
LISTS = {"department_codes", "community_codes"}


def _action_body(action: str, form: Any, current: Session) -> dict[str, Any]:
    if action == "triage":
        return {"accepted": form.get("accepted") == "true", "reason": form.get("reason", "")}
    if action == "local-resolution":
        return {"result": form.get("result", "").strip()}
    if action == "escalation":
        codes = form.getlist("department_codes")
        lead = form.get("lead_department_code") or None
        actor = current.principal.name or current.principal.subject
        return {"department_codes": codes, "lead_department_code": lead, "actor": actor}
    if action == "verification":
        return {"note": form.get("note", "").strip()}
    if action == "cancellation":
        return {"reason": form.get("reason", "").strip()}
    if action == "sharing":
        return {
            "community_codes": form.getlist("community_codes"),
            "reason": form.get("reason", "").strip(),
        }
    if action == "anonymisation":
        return {}
    return {"rating": form.get("rating", ""), "comment": form.get("comment", "").strip()}


@router.post("/incidents/{incident_id}/{action}")
async def act(
    incident_id: UUID, action: str, request: Request, current: Session = Depends(signed_in)
) -> Response:
    if action not in ACTIONS:
        raise PageError(404, "not_found")
    path, fields = ACTIONS[action]
    form = await request.form()
    kept = {k: form.getlist(k) if k in LISTS else form.get(k) for k in form}
    if action == "escalation" and not form.getlist("department_codes"):
        # The whistle needs someone to blow it at: said beside the field, in the page's language
        # (incidents would refuse it too, in its own English words).
        t = translator(page_language(request))
        return await page(
            request,
            current,
            await load_incident(current, incident_id),
            status_code=422,
            action=action,
            form=kept,
            errors={"department_codes": t("action.no_department")},
        )
    answer: Answer = await current.services.post(
        "incidents", f"/incidents/{incident_id}/{path}", _action_body(action, form, current)
    )
    return await landing(
        request, current, incident_id, answer, action=action, form=kept, fields=fields
    )
