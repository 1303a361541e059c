"""Joint meetings (联席会议: agenda, attendance, decisions, minutes) and a project's page (its
claims by member units, milestones, percent done, responsibilities and progress reports), with a
liaison's claim and a progress report.

Read from resources with the user's token: a department opens only a meeting it was invited to;
resources refuses a claim of a full project (409) and a report from a unit that has not claimed
the project, and the page says so.
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
    community_name,
    department_names,
    export_by_community,
    resources_get,
    unit_names,
)
from console.entrypoints.list_search import asked, one_page
from console.entrypoints.web import COORDINATORS, PageError, Session, page_language, render, session
from lianxin.auth import Role

router = APIRouter()

PROGRESS_FIELDS = {"note", "percent_done", "milestones", "title", "due_at"}


MEETING_FILTERS = ("community", "status", "from", "to")


@router.get("/meetings", response_class=HTMLResponse)
async def meetings_page(request: Request, current: Session = Depends(session)) -> Response:
    """The joint meetings, newest first, searched, filtered and paged by resources."""
    shown = asked(request, MEETING_FILTERS, community=chosen(current, None))
    places, (found, total) = await asyncio.gather(
        communities(current), one_page(current, "resources", "/meetings", shown)
    )
    units = await unit_names(current, {m["community_code"] for m in found})
    t = translator(page_language(request))
    states = [(s, t(f"ls.meeting.{s}")) for s in ("scheduled", "closed")]
    return render(
        request,
        "meetings.html",
        meetings=found,
        total=total,
        asked=shown,
        choices=[{"name": "status", "label": "incident.status", "options": states}],
        community=shown.found.get("community"),
        communities=places,
        units=units,
    )


@router.get("/meetings/export.{form}")
async def export_meetings(
    form: str, request: Request, current: Session = Depends(session)
) -> Response:
    """Every meeting the list shows with these filters, as CSV or Excel."""
    shown = asked(request, MEETING_FILTERS, community=chosen(current, None))
    return await export_by_community(
        request, current, form, "meetings", "/meetings", shown, "nav.meetings"
    )


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
async def meeting_page(
    meeting_id: UUID, request: Request, current: Session = Depends(session)
) -> Response:
    meeting = await resources_get(current, f"/meetings/{meeting_id}")
    units, departments, name = await asyncio.gather(
        unit_names(current, [meeting["community_code"]]),
        department_names(current),
        community_name(current, meeting["community_code"]),
    )
    kinds = {
        "ProjectDecision": "project",
        "ResponsibilityDecision": "responsibility",
        "DeclineDecision": "decline",
    }
    decisions = [{**d, "kind": kinds.get(d.get("_type"), "other")} for d in meeting["decisions"]]
    titles = {d["project_id"]: d["title"] for d in decisions if d["kind"] == "project"}
    needs = {n["need_id"]: n["title"] for n in meeting["agenda"]["needs"]}
    return render(
        request,
        "meeting.html",
        meeting=meeting,
        community_name=name,
        decisions=decisions,
        titles=titles,
        needs=needs,
        units=units,
        departments=departments,
    )


async def _project(
    request: Request, current: Session, project_id: UUID, status_code: int = 200, **form: Any
) -> Response:
    project = await resources_get(current, f"/projects/{project_id}")
    now = datetime.now(UTC)
    units, name = await asyncio.gather(
        unit_names(current, [project["community_code"]]),
        community_name(current, project["community_code"]),
    )
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


def _number(text: Any) -> Any:
    """The whole number typed, or the text (for resources to name the field it refuses)."""
    value = str(text or "").strip()
    return int(value) if value.isdigit() else value or None


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
            key.removeprefix("milestone-"): _number(value)
            for key, value in form.items()
            if key.startswith("milestone-")
        }
        body: dict[str, Any] = {"note": str(form.get("note", "")).strip()}
        if milestones:
            body["milestones"] = milestones
        else:
            body["percent_done"] = _number(form.get("percent_done"))
        answer = await current.services.post("resources", f"/projects/{project_id}/progress", body)
    elif action == "milestone":
        day = str(form.get("due_at", "")).strip()
        body = {
            "title": str(form.get("title", "")).strip(),
            # A day in the community's time: due by the end of its working day.
            "due_at": f"{day}T18:00:00+08:00" if day else "",
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
