"""The steps on one department's part of an incident, from its page: the coordinator reassigns
(改派), withdraws (撤回) or urges (催办) it and decides on a request for more time (同意/不同意);
the department's operator asks for more time (申请延期). Each form posts here; the console calls
incidents with the user's token and lands on the incident's page, with any refusal in words.
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
    "reassignment": {"department_code", "reason"},
    "withdrawal": {"reason"},
    "urging": {"note"},
    "extension-decision": {"granted", "note"},
}


def _body(step: str, form: Any) -> dict[str, Any]:
    body: dict[str, Any] = {f: str(form.get(f, "")).strip() for f in COORDINATOR_STEPS[step]}
    if step == "extension-decision":
        body["granted"] = form.get("granted") == "true"
    return body


def _deadline(typed: str) -> str:
    """A `datetime-local` value is China's time: sent on with its offset (or as typed, for
    incidents to name the field it cannot read)."""
    try:
        return datetime.fromisoformat(typed).replace(tzinfo=LOCAL).isoformat()
    except ValueError:
        return typed


@router.post("/incidents/{incident_id}/assignments/{assignment_id}/extension-request")
async def request_extension(
    incident_id: UUID,
    assignment_id: UUID,
    request: Request,
    current: Session = Depends(needs(Role.DEPARTMENT_OPERATOR)),
) -> Response:
    """A department asks for more time on its own assignment, until a day and hour, and why."""
    form = await request.form()
    body = {
        "reason": str(form.get("reason", "")).strip(),
        "resolve_by": _deadline(str(form.get("resolve_by", "")).strip()),
    }
    answer = await current.services.post(
        "incidents", f"/assignments/{assignment_id}/extension-request", body
    )
    if answer.status in (403, 404):  # another department's assignment, or none
        raise PageError(404, "not_found")
    return await landing(
        request,
        current,
        incident_id,
        answer,
        action=f"extension-request-{assignment_id}",
        form=dict(form),
        fields={"reason", "resolve_by"},
    )


def _coordinator_step(step: str):
    async def take(
        incident_id: UUID,
        assignment_id: UUID,
        request: Request,
        current: Session = Depends(needs(*REPORTERS)),
    ) -> Response:
        form = await request.form()
        answer = await current.services.post(
            "incidents",
            f"/incidents/{incident_id}/assignments/{assignment_id}/{step}",
            _body(step, form),
        )
        return await landing(
            request,
            current,
            incident_id,
            answer,
            action=f"{step}-{assignment_id}",
            form=dict(form),
            fields=COORDINATOR_STEPS[step],
        )

    return take


# Explicit paths, registered before the department's own steps (`incident_pages`), whose
# route takes any last segment.
for _step in COORDINATOR_STEPS:
    router.add_api_route(
        f"/incidents/{{incident_id}}/assignments/{{assignment_id}}/{_step}",
        _coordinator_step(_step),
        methods=["POST"],
    )
