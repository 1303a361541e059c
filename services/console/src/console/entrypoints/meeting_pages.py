"""Joint meetings (联席会议): the list, one meeting (chair, invited departments, who came, the
agenda with its suggested matches, the decisions, the minutes), and their recording by a
coordinator: scheduling a meeting, then on its page the agenda drafted from the open lists,
attendance, decisions (a project that meets needs with the offers matched, a responsibility on a
project, a need declined with its reason), the minutes, and closing it, which carries the
decisions out.

Everything is read from and written to resources with the user's token, which decides who may
record (coordinators) and who may read (liaisons, a department invited): the others see the page
without its forms. A refusal is shown beside the form with the field it names, what was typed
kept (`record_steps`), or as the page's own 403/404.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from console.domain.i18n import translator
from console.entrypoints.list_pages import (
    chosen,
    communities,
    community_names,
    department_names,
    export_by_community,
    resources_get,
    unit_names,
)
from console.entrypoints.list_search import asked, one_page
from console.entrypoints.record_steps import (
    answered,
    day_end,
    local_moment,
    problem,
    send,
    whole_number,
)
from console.entrypoints.web import (
    COORDINATORS,
    PageError,
    Session,
    needs,
    page_language,
    render,
    session,
)

router = APIRouter()

MEETING_FILTERS = ("community", "status", "from", "to")
# The record's steps: (form's step, resources' method and path under the meeting).
STEPS = {
    "agenda": ("POST", "agenda"),
    "attendance": ("PUT", "attendance"),
    "project": ("POST", "decisions/projects"),
    "responsibility": ("POST", "decisions/responsibilities"),
    "decline": ("POST", "decisions/declines"),
    "minutes": ("PUT", "minutes"),
    "close": ("POST", "close"),
}
# The step whose field a refusal to close names.
OWNERS = {"units_present": "attendance", "minutes": "minutes"}
# A decision's kind by resources' `_type`.
DECISION_KINDS = {
    "ProjectDecision": "project",
    "ResponsibilityDecision": "responsibility",
    "DeclineDecision": "decline",
}


def named(departments: dict[str, dict], lang: str) -> list[tuple[str, str]]:
    """Departments as (code, name) choices, named in the page's language."""
    return [
        (code, (d.get("name_en") if lang == "en" else None) or d["name"])
        for code, d in departments.items()
    ]


def typed(form: FormData) -> dict[str, list[str]]:
    """Every value typed or ticked, by field: kept to fill the form again after a refusal."""
    return {key: [str(v) for v in form.getlist(key)] for key in form}


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
        may_record=current.may(*COORDINATORS),
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


async def _chair(current: Session, community_code: str | None) -> str | None:
    """The big committee's rotating chair today (organisation's terms), the meeting's chair."""
    if community_code is None:
        return None
    answer = await current.services.get(
        "organisation", f"/communities/{community_code}/big-committee"
    )
    chair = (
        answer.body.get("current_chair") if answer.ok and isinstance(answer.body, dict) else None
    )
    return chair.get("member_unit_code") if isinstance(chair, dict) else None


async def _new_form(
    request: Request, current: Session, status: int = 200, **extra: Any
) -> Response:
    places = await communities(current)
    codes = [c["code"] for c in places]
    units, departments, chair = await asyncio.gather(
        unit_names(current, codes),
        department_names(current),
        _chair(current, next(iter(codes), None)),
    )
    # Proposed: the user's first community and its rotating chair.
    form = extra.pop("typed", {}) or {"community_code": codes[:1], "chair_unit_code": [chair or ""]}
    return render(
        request,
        "meeting_new.html",
        status,
        communities=[(c["code"], c["name"]) for c in places],
        units=list(units.items()),
        departments=named(departments, page_language(request)),
        typed=form,
        **({"errors": {}, "error": None} | extra),
    )


@router.get("/meetings/new", response_class=HTMLResponse)
async def new_page(request: Request, current: Session = Depends(needs(*COORDINATORS))) -> Response:
    return await _new_form(request, current)


@router.post("/meetings/new")
async def schedule(request: Request, current: Session = Depends(needs(*COORDINATORS))) -> Response:
    form = await request.form()
    body = {
        "community_code": str(form.get("community_code", "")),
        "chair_unit_code": str(form.get("chair_unit_code", "")),
        "scheduled_at": local_moment(str(form.get("scheduled_at", ""))),
        "invited_department_codes": [str(d) for d in form.getlist("invited_department_codes")],
    }
    answer = await current.services.post("resources", "/meetings", body)
    if answer.status == 201:
        return RedirectResponse(f"/meetings/{answer.body['id']}", status_code=303)
    if answer.status in (403, 404) and not isinstance(answer.body, dict):
        raise PageError(answer.status, "forbidden")
    refused = problem(answer, request, set(body))
    status = answer.status if answer.status < 500 else 503
    return await _new_form(request, current, status, typed=typed(form), **refused)


async def _page(
    request: Request, current: Session, meeting_id: UUID, status: int = 200, **extra: Any
) -> Response:
    meeting = await resources_get(current, f"/meetings/{meeting_id}")
    (name, units), departments = await asyncio.gather(
        community_names(current, meeting["community_code"]), department_names(current)
    )
    decisions = [
        {**d, "kind": DECISION_KINDS.get(d.get("_type"), "other")} for d in meeting["decisions"]
    ]
    titles = {d["project_id"]: d["title"] for d in decisions if d["kind"] == "project"}
    agenda = meeting["agenda"]["needs"]
    decided = {n for d in decisions for n in d.get("need_ids", [])}
    decided |= {d["need_id"] for d in decisions if d["kind"] == "decline"}
    undecided = [n for n in agenda if n["need_id"] not in decided]
    invited = meeting["invited_department_codes"]
    return render(
        request,
        "meeting.html",
        status,
        meeting=meeting,
        community_name=name,
        decisions=decisions,
        titles=titles,
        needs={n["need_id"]: n["title"] for n in agenda},
        units=units,
        departments=departments,
        may_record=meeting["status"] == "scheduled" and current.may(*COORDINATORS),
        # The forms' choices, (value, label): what is still to decide and who may hold it.
        undecided=[(n["need_id"], n["title"]) for n in undecided],
        offers=[
            (
                s["offer_id"],
                f"{units.get(s['member_unit_code'], s['member_unit_code'])} · {n['title']}",
            )
            for n in undecided
            for s in n["suggestions"]
        ],
        invited=named(
            {c: departments.get(c, {"name": c}) for c in invited}, page_language(request)
        ),
        **({"errors": {}, "error": None, "failed": None, "typed": {}} | extra),
    )


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
async def meeting_page(
    meeting_id: UUID, request: Request, current: Session = Depends(session)
) -> Response:
    return await _page(request, current, meeting_id)


def step_body(step: str, form: FormData) -> dict[str, Any] | None:
    """What resources' step wants, from the form (None: the step has no body)."""
    text = {key: str(form.get(key, "")).strip() for key in form}
    if step == "attendance":
        return {
            "units_present": [str(u) for u in form.getlist("units_present")],
            "departments_present": [str(d) for d in form.getlist("departments_present")],
        }
    if step == "project":
        return {
            "title": text.get("title", ""),
            "need_ids": [str(n) for n in form.getlist("need_ids")],
            "resource_offer_ids": [str(o) for o in form.getlist("resource_offer_ids")],
            "due_at": day_end(text.get("due_at", "")),
            "slots": whole_number(text.get("slots")) or 1,
        }
    if step == "responsibility":
        return {
            "project_id": text.get("project_id", ""),
            "holder_code": text.get("holder_code", ""),
            "task": text.get("task", ""),
            "due_at": day_end(text.get("due_at", "")),
        }
    if step == "decline":
        return {"need_id": text.get("need_id", ""), "reason": text.get("reason", "")}
    if step == "minutes":
        return {"minutes": text.get("minutes", "")}
    return None


@router.post("/meetings/{meeting_id}/record/{step}")
async def record(
    meeting_id: UUID,
    step: str,
    request: Request,
    current: Session = Depends(needs(*COORDINATORS)),
) -> Response:
    if step not in STEPS:
        raise PageError(404, "not_found")
    form = await request.form()
    method, path = STEPS[step]
    body = step_body(step, form)
    answer = await send(current, method, f"/meetings/{meeting_id}/{path}", body)

    async def again(status: int, failed: str, **refused: Any) -> Response:
        # Closing is refused for another step's field (no minutes, nobody present): shown there.
        mine = next((OWNERS[f] for f in refused["errors"] if f in OWNERS), failed)
        return await _page(request, current, meeting_id, status, failed=mine, **refused)

    fields = set(body or {}) | (set(OWNERS) if step == "close" else set())
    back = f"/meetings/{meeting_id}"
    return await answered(request, answer, back, again, step, fields, typed=typed(form))
