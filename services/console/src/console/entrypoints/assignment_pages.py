"""The steps on one department's part of an incident, from its page: the coordinator reroutes
or reassigns (改派), withdraws (撤回) or urges (催办) it and decides on a request for more time
(同意/不同意); the department's operator, without a system of its own, signs for it, returns it,
starts, reports the result or asks for more time (申请延期). Each form posts here; the console
calls incidents with the user's token and lands on the incident's page, any refusal in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from console.domain.deadlines import LOCAL
from console.entrypoints.incident_view import landing
from console.entrypoints.web import REPORTERS, PageError, Session, needs
from lianxin.auth import Role

router = APIRouter()

# The coordinator's steps: the path under incidents' /incidents/{id}/assignments/{a}/, and the
# form's fields it takes (the same names as incidents' body).
COORDINATOR_STEPS: dict[str, set[str]] = {
    "reroute": {"department_code"},
    "reassignment": {"department_code", "reason"},
    "withdrawal": {"reason"},
    "urging": {"note"},
    "extension-decision": {"granted", "note"},
}
# The department's own steps: the path under incidents' /assignments/{a}/, and its fields.
DEPARTMENT_STEPS: dict[str, set[str]] = {
    "acknowledgement": {"note"},
    "return": {"reason"},
    "start": {"note"},
    "resolution": {"result"},
    "extension-request": {"reason", "resolve_by"},
}


def _body(form: Any, fields: set[str]) -> dict[str, Any]:
    body: dict[str, Any] = {f: str(form.get(f, "")).strip() for f in fields}
    if "granted" in fields:
        body["granted"] = form.get("granted") == "true"
    if "resolve_by" in fields:
        body["resolve_by"] = _deadline(body["resolve_by"])
    return body


def _deadline(typed: str) -> str:
    """A `datetime-local` value is China's time: sent on with its offset (or as typed, for
    incidents to name the field it cannot read)."""
    try:
        return datetime.fromisoformat(typed).replace(tzinfo=LOCAL).isoformat()
    except ValueError:
        return typed


async def _take(
    request: Request,
    current: Session,
    incident_id: UUID,
    assignment_id: UUID,
    step: str,
    path: str,
    fields: set[str],
) -> Response:
    form = await request.form()
    answer = await current.services.post("incidents", path, _body(form, fields))
    if answer.status == 403 and current.may(Role.DEPARTMENT_OPERATOR):
        raise PageError(404, "not_found")  # another department's assignment, or none
    return await landing(
        request,
        current,
        incident_id,
        answer,
        action=f"{step}-{assignment_id}",
        form=dict(form),
        fields=fields,
    )


def _coordinator_step(step: str):
    async def take(
        incident_id: UUID,
        assignment_id: UUID,
        request: Request,
        current: Session = Depends(needs(*REPORTERS)),
    ) -> Response:
        path = f"/incidents/{incident_id}/assignments/{assignment_id}/{step}"
        fields = COORDINATOR_STEPS[step]
        return await _take(request, current, incident_id, assignment_id, step, path, fields)

    return take


# Explicit paths, registered before the department's own steps, whose route takes any step.
for _step in COORDINATOR_STEPS:
    router.add_api_route(
        f"/incidents/{{incident_id}}/assignments/{{assignment_id}}/{_step}",
        _coordinator_step(_step),
        methods=["POST"],
    )


@router.post("/incidents/{incident_id}/assignments/{assignment_id}/{step}")
async def department_step(
    incident_id: UUID,
    assignment_id: UUID,
    step: str,
    request: Request,
    current: Session = Depends(needs(Role.DEPARTMENT_OPERATOR)),
) -> Response:
    """Sign for, return, start, resolve or ask for more time on one's own department's part."""
    if step not in DEPARTMENT_STEPS:
        raise PageError(404, "not_found")
    path = f"/assignments/{assignment_id}/{step}"
    fields = DEPARTMENT_STEPS[step]
    return await _take(request, current, incident_id, assignment_id, step, path, fields)
