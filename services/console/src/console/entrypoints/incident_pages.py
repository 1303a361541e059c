"""The grid leader's inbox (report, triage, resolve locally) and an incident's own page, with
the coordinator's escalation and the grid's verification and feedback.

Each form posts here; the console calls incidents with the user's token and, when incidents
refuses, shows its problem+json `errors` beside the fields they name.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.adapters import spans
from console.adapters.services import Answer
from console.domain.deadlines import assignment_deadline, remaining
from console.domain.forms import field_errors
from console.domain.i18n import translator
from console.entrypoints import photo_pages
from console.entrypoints.web import (
    COORDINATORS,
    REPORTERS,
    PageError,
    Session,
    needs,
    page_language,
    render,
)
from console.entrypoints.web import session as signed_in
from lianxin.auth import Role

router = APIRouter()

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
OPEN = {"reported", "accepted", "escalated", "resolved", "verified"}
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")


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


@router.post("/inbox/incidents")
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


async def _incident(current: Session, incident_id: UUID) -> dict:
    answer = await current.services.get("incidents", f"/incidents/{incident_id}")
    if answer.status in (403, 404, 422):
        raise PageError(404, "not_found")
    if not answer.ok:
        raise PageError(503, "not_found")
    return answer.body


async def _escalation_choices(current: Session, incident: dict) -> dict[str, Any]:
    """The departments to whistle to, with the routing rule's suggestion pre-selected (or, until
    incidents has routing rules, the first department that handles the incident's category)."""
    departments, suggestion = await asyncio.gather(
        current.services.get("incidents", "/departments"),
        current.services.get("incidents", f"/incidents/{incident['id']}/routing-suggestion"),
    )
    listed = departments.body if departments.ok else []
    limits = None
    if suggestion.ok and isinstance(suggestion.body, dict):
        lead = suggestion.body.get("lead_department_code")
        co = list(suggestion.body.get("co_handler_codes") or [])
        limits = suggestion.body
    else:
        handles = [d["code"] for d in listed if incident["category"] in d["categories"]]
        lead, co = (handles[0] if handles else None), []
    return {
        "departments": listed,
        "suggested_lead": lead,
        "suggested": {lead, *co} - {None},
        "limits": limits,
    }


async def _partners(current: Session, incident: dict) -> list[dict]:
    """The communities a coordinator may share this open incident with (its community's
    alliance partners); none for those who may not share it."""
    if not current.may(*COORDINATORS) or incident["status"] not in OPEN:
        return []
    found = await current.services.get(
        "incidents", f"/communities/{incident['community_code']}/partners"
    )
    return found.body if found.ok and isinstance(found.body, list) else []


def _view(incident: dict) -> dict:
    """The incident with each assignment's live deadline."""
    now = datetime.now(UTC)
    assignments = []
    for assignment in incident.get("assignments") or []:
        deadline = assignment_deadline(assignment)
        assignments.append({**assignment, "deadline": deadline, "left": remaining(deadline, now)})
    return {**incident, "assignments": assignments}


async def _page(
    request: Request,
    current: Session,
    incident: dict,
    template: str = "incident.html",
    status_code: int = 200,
    **form: Any,
) -> Response:
    choices: dict[str, Any] = {
        "departments": [],
        "suggested_lead": None,
        "suggested": set(),
        "limits": None,
    }
    duplicates: list[dict] = []
    if current.may(*REPORTERS) and incident["status"] in {"reported", "accepted"}:
        choices, found = await asyncio.gather(
            _escalation_choices(current, incident),
            current.services.get("incidents", f"/incidents/{incident['id']}/duplicates"),
        )
        duplicates = found.body if found.ok and isinstance(found.body, list) else []
    else:
        listed = await current.services.get("incidents", "/departments")
        choices["departments"] = listed.body if listed.ok else []
    partners = await _partners(current, incident)
    trace_id = incident.get("trace_id")
    return render(
        request,
        template,
        status_code,
        incident=_view(incident),
        may_report=current.may(*REPORTERS),
        # incidents lets grid leaders whistle too (its GRID_STAFF): the same roles as reporting.
        may_escalate=current.may(*REPORTERS),
        ratings=RATINGS,
        department_names={d["code"]: d for d in choices["departments"]},
        duplicates=duplicates,
        may_coordinate=current.may(*COORDINATORS),
        my_department=current.principal.scope.department
        if current.may(Role.DEPARTMENT_OPERATOR)
        else None,
        partners=partners,
        photos=await photo_pages.for_page(request, current, incident),
        community_names={p["code"]: p["name"] for p in partners},
        jaeger=spans.jaeger_url(trace_id) if trace_id else None,
        action=form.get("action"),
        form=form.get("form", {}),
        errors=form.get("errors", {}),
        form_error=form.get("form_error"),
        **choices,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
async def incident_page(
    incident_id: UUID, request: Request, current: Session = Depends(signed_in)
) -> Response:
    return await _page(request, current, await _incident(current, incident_id))


@router.get("/incidents/{incident_id}/fragment", response_class=HTMLResponse)
async def incident_fragment(
    incident_id: UUID, request: Request, current: Session = Depends(signed_in)
) -> Response:
    """The live part of the page, fetched again when an event about the incident arrives."""
    return await _page(request, current, await _incident(current, incident_id), "_incident.html")


async def _landing(
    request: Request,
    current: Session,
    incident_id: UUID,
    answer: Answer,
    *,
    action: str,
    form: dict[str, Any],
    fields: set[str],
    then: UUID | None = None,
) -> Response:
    """Where a posted form lands: the incident's page (or `then`'s) when incidents took it;
    otherwise this page again, incidents' problem beside the fields it names."""
    if answer.ok:
        return RedirectResponse(f"/incidents/{then or incident_id}", status_code=303)
    if answer.status in (403, 404):  # not this user's to do, or not theirs to see
        raise PageError(answer.status, "forbidden" if answer.status == 403 else "not_found")
    errors, message = field_errors(answer.body, fields, page_language(request))
    return await _page(
        request,
        current,
        await _incident(current, incident_id),
        status_code=422 if answer.status < 500 else 503,
        action=action,
        form=form,
        errors=errors,
        form_error=message,
    )


@router.post("/incidents/{incident_id}/assignments/{assignment_id}/reroute")
async def reroute(
    incident_id: UUID, assignment_id: UUID, request: Request, current: Session = Depends(signed_in)
) -> Response:
    """Send an assignment its department returned to another department."""
    form = await request.form()
    answer = await current.services.post(
        "incidents",
        f"/incidents/{incident_id}/assignments/{assignment_id}/reroute",
        {"department_code": form.get("department_code", "")},
    )
    return await _landing(
        request,
        current,
        incident_id,
        answer,
        action=f"reroute-{assignment_id}",
        form=dict(form),
        fields={"department_code"},
    )


# A department without a system of its own works its assignments here: each step, and the one
# field incidents' department API takes for it.
DEPARTMENT_STEPS = {
    "acknowledgement": "note",
    "return": "reason",
    "start": "note",
    "resolution": "result",
}


@router.post("/incidents/{incident_id}/assignments/{assignment_id}/{step}")
async def department_step(
    incident_id: UUID,
    assignment_id: UUID,
    step: str,
    request: Request,
    current: Session = Depends(needs(Role.DEPARTMENT_OPERATOR)),
) -> Response:
    """Sign for, return, start or resolve one's own department's assignment."""
    if step not in DEPARTMENT_STEPS:
        raise PageError(404, "not_found")
    field = DEPARTMENT_STEPS[step]
    form = await request.form()
    answer = await current.services.post(
        "incidents",
        f"/assignments/{assignment_id}/{step}",
        {field: str(form.get(field, "")).strip()},
    )
    if answer.status in (403, 404):  # another department's assignment, or none
        raise PageError(404, "not_found")
    return await _landing(
        request,
        current,
        incident_id,
        answer,
        action=f"{step}-{assignment_id}",
        form=dict(form),
        fields={field},
    )


@router.post("/incidents/{incident_id}/merge-into/{target_id}")
async def merge_into(
    incident_id: UUID, target_id: UUID, request: Request, current: Session = Depends(signed_in)
) -> Response:
    """This report is the same problem as an earlier one: take it into that one."""
    answer = await current.services.post(
        "incidents", f"/incidents/{target_id}/merge", {"duplicate_id": str(incident_id)}
    )
    return await _landing(
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
        return await _page(
            request,
            current,
            await _incident(current, incident_id),
            status_code=422,
            action=action,
            form=kept,
            errors={"department_codes": t("action.no_department")},
        )
    answer: Answer = await current.services.post(
        "incidents", f"/incidents/{incident_id}/{path}", _action_body(action, form, current)
    )
    return await _landing(
        request, current, incident_id, answer, action=action, form=kept, fields=fields
    )
