"""An incident's page as the console renders it: the incident for this user, the choices its
forms offer, and where a posted form lands (the page again, with incidents' refusal beside the
fields it names). The routes are in `incident_pages` and `assignment_pages`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

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
    page_language,
    render,
)
from lianxin.auth import Role

OPEN = {"reported", "accepted", "escalated", "resolved", "verified"}
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")


async def load_incident(current: Session, incident_id: UUID) -> dict:
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


def _own_work(current: Session, incident: dict) -> bool:
    """This user settled it locally: incidents lets someone else verify and rate it."""
    if not incident.get("resolved_locally"):
        return False
    settled = [t for t in incident.get("timeline") or [] if t["action"] == "resolved_locally"]
    me = current.principal.name or current.principal.subject
    return bool(settled) and settled[-1]["actor"] == me


async def _rating_link(request: Request, current: Session, incident: dict) -> dict | None:
    """The resident's rating link (回访) of a resolved incident, for the grid's staff to send by
    SMS from their own phone: the console serves it at /rate/<token>."""
    if not current.may(*REPORTERS) or incident["status"] not in ("resolved", "verified"):
        return None
    found = await current.services.get("incidents", f"/incidents/{incident['id']}/rating-link")
    if not found.ok or not isinstance(found.body, dict):
        return None
    url = f"{str(request.base_url).rstrip('/')}/rate/{found.body['token']}"
    return {"url": url, "expires_at": found.body["expires_at"]}


def _view(incident: dict) -> dict:
    """The incident with each assignment's live deadline."""
    now = datetime.now(UTC)
    assignments = []
    for assignment in incident.get("assignments") or []:
        deadline = assignment_deadline(assignment)
        assignments.append({**assignment, "deadline": deadline, "left": remaining(deadline, now)})
    return {**incident, "assignments": assignments}


async def page(
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
    rating_link = await _rating_link(request, current, incident)
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
        duplicates=duplicates,
        may_coordinate=current.may(*COORDINATORS),
        my_department=current.principal.scope.department
        if current.may(Role.DEPARTMENT_OPERATOR)
        else None,
        partners=partners,
        photos=await photo_pages.for_page(request, current, incident),
        jaeger=spans.jaeger_url(trace_id) if trace_id else None,
        rating_link=rating_link,
        own_work=_own_work(current, incident),
        action=form.get("action"),
        form=form.get("form", {}),
        errors=form.get("errors", {}),
        form_error=form.get("form_error"),
        **choices,
    )


async def landing(
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
    lang = page_language(request)
    errors, message = field_errors(answer.body, fields, lang)
    if answer.status == 409 and lang != "en":
        # The state moved on (another user, a department's report): incidents says so in
        # English, the page in the user's language.
        message = translator(lang)("loop.conflict")
    return await page(
        request,
        current,
        await load_incident(current, incident_id),
        status_code=422 if answer.status < 500 else 503,
        action=action,
        form=form,
        errors=errors,
        form_error=message,
    )
