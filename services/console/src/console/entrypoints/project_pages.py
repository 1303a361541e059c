"""A project's page (its claims by member units, milestones, percent done, responsibilities and
progress reports), with a liaison's claim and a progress report (joint meetings: `meeting_pages`).

Read from resources with the user's token: resources refuses a claim of a full project (409) and
a report from a unit that has not claimed the project, and the page says so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.domain import lists
from console.domain.forms import field_errors
from console.entrypoints.list_pages import community_names, resources_get
from console.entrypoints.record_steps import day_end, whole_number
from console.entrypoints.web import COORDINATORS, PageError, Session, page_language, render, session
from lianxin.auth import Role

router = APIRouter()

PROGRESS_FIELDS = {"note", "percent_done", "milestones", "title", "due_at"}


async def _project(
    request: Request, current: Session, project_id: UUID, status_code: int = 200, **form: Any
) -> Response:
    project = await resources_get(current, f"/projects/{project_id}")
    now = datetime.now(UTC)
    name, units = await community_names(current, project["community_code"])
    unit = current.principal.scope.member_unit
    liaison = current.may(Role.MEMBER_UNIT_LIAISON) and not current.principal.is_platform
    claimed = unit in {c["member_unit_code"] for c in project["claims"]}
    return render(
        request,
        "project.html",
        status_code,
        project={**project, "state": lists.project_state(project, now)},
        community_name=name,
        responsibilities=[
            {**r, "state": lists.responsibility_state(r, now)} for r in project["responsibilities"]
        ],
        units=units,
        may_claim=liaison
        and not claimed
        and project["slots_left"] > 0
        and project["status"] != "finished",
        may_report=project["status"] == "under_way"
        and (current.may(*COORDINATORS) or (liaison and claimed)),
        may_plan=project["status"] != "finished" and current.may(*COORDINATORS),
        action=form.get("action"),
        form=form.get("form", {}),
        errors=form.get("errors", {}),
        form_error=form.get("form_error"),
    )


@router.get("/projects/{project_id}", response_class=HTMLResponse)
async def project_page(
    project_id: UUID, request: Request, current: Session = Depends(session)
) -> Response:
    return await _project(request, current, project_id)


@router.post("/projects/{project_id}/{action}")
async def project_action(
    project_id: UUID, action: str, request: Request, current: Session = Depends(session)
) -> Response:
    """A liaison claims the project for its unit (认领); a claimant or a coordinator reports
    progress, by milestone when the project has milestones; a coordinator adds a milestone."""
    form = await request.form()
    if action == "claim":
        answer = await current.services.post("resources", f"/projects/{project_id}/claims", {})
    elif action == "progress":
        milestones = {
            key.removeprefix("milestone-"): whole_number(value)
            for key, value in form.items()
            if key.startswith("milestone-")
        }
        body: dict[str, Any] = {"note": str(form.get("note", "")).strip()}
        if milestones:
            body["milestones"] = milestones
        else:
            body["percent_done"] = whole_number(form.get("percent_done"))
        answer = await current.services.post("resources", f"/projects/{project_id}/progress", body)
    elif action == "milestone":
        body = {
            "title": str(form.get("title", "")).strip(),
            "due_at": day_end(str(form.get("due_at", ""))),
        }
        answer = await current.services.post(
            "resources", f"/projects/{project_id}/milestones", body
        )
    else:
        raise PageError(404, "not_found")
    if answer.ok:
        return RedirectResponse(f"/projects/{project_id}", status_code=303)
    if answer.status in (403, 404):
        raise PageError(answer.status, "forbidden" if answer.status == 403 else "not_found")
    errors, message = field_errors(answer.body, PROGRESS_FIELDS, page_language(request))
    return await _project(
        request,
        current,
        project_id,
        409 if answer.status == 409 else 422 if answer.status < 500 else 503,
        action=action,
        form=dict(form),
        errors=errors,
        form_error=message,
    )
