"""Routes of joint meetings, projects and the responsibilities list."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from lianxin.auth import Principal, authenticated
from lianxin.service import Runtime, runtime
from resources.entrypoints.schemas import (
    AttendanceIn,
    ClaimIn,
    DeclineDecisionIn,
    MeetingIn,
    MilestoneIn,
    MinutesIn,
    ProgressIn,
    ProjectDecisionIn,
    ProjectIn,
    RatingIn,
    ResponsibilityDecisionIn,
    ResponsibilityIn,
    out,
)
from resources.service_layer import meetings, projects
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

router = APIRouter(tags=["meetings and projects"])
RT = Runtime[ResourcesUnitOfWork]


@router.post("/meetings", status_code=201)
async def schedule_meeting(
    body: MeetingIn, rt: RT = Depends(runtime), p: Principal = Depends(authenticated)
) -> dict[str, Any]:
    return out(await meetings.schedule_meeting(rt.uow(), p, body.model_dump()))


@router.get("/meetings")
async def list_meetings(
    community_code: str | None = None,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> list[dict[str, Any]]:
    return [out(m) for m in await meetings.list_meetings(rt.uow(), p, community_code)]


@router.get("/meetings/{meeting_id}")
async def get_meeting(
    meeting_id: UUID, rt: RT = Depends(runtime), p: Principal = Depends(authenticated)
) -> dict[str, Any]:
    return out(await meetings.get_meeting(rt.uow(), p, meeting_id))


@router.post("/meetings/{meeting_id}/agenda")
async def build_agenda(
    meeting_id: UUID, rt: RT = Depends(runtime), p: Principal = Depends(authenticated)
) -> dict[str, Any]:
    """The draft agenda: the last meeting's feedback, the open needs with their best matches."""
    return out(await meetings.build_meeting_agenda(rt.uow(), p, meeting_id))


async def _step(rt: RT, p: Principal, meeting_id: UUID, step: str, body: Any) -> dict[str, Any]:
    return out(await meetings.update_meeting(rt.uow(), p, meeting_id, step, body.model_dump()))


@router.put("/meetings/{meeting_id}/attendance")
async def attendance(
    meeting_id: UUID,
    body: AttendanceIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _step(rt, p, meeting_id, "attendance", body)


@router.post("/meetings/{meeting_id}/decisions/projects")
async def decide_project(
    meeting_id: UUID,
    body: ProjectDecisionIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _step(rt, p, meeting_id, "project", body)


@router.post("/meetings/{meeting_id}/decisions/responsibilities")
async def give_responsibility(
    meeting_id: UUID,
    body: ResponsibilityDecisionIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _step(rt, p, meeting_id, "responsibility", body)


@router.post("/meetings/{meeting_id}/decisions/declines")
async def decline_need(
    meeting_id: UUID,
    body: DeclineDecisionIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _step(rt, p, meeting_id, "decline", body)


@router.put("/meetings/{meeting_id}/minutes")
async def minutes(
    meeting_id: UUID,
    body: MinutesIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _step(rt, p, meeting_id, "minutes", body)


@router.post("/meetings/{meeting_id}/close")
async def close_meeting(
    meeting_id: UUID, rt: RT = Depends(runtime), p: Principal = Depends(authenticated)
) -> dict[str, Any]:
    """Publishes the decisions and carries them out: projects, responsibilities, declines."""
    return out(await meetings.close_meeting(rt.uow(), p, meeting_id))


@router.post("/projects", status_code=201)
async def create_project(
    body: ProjectIn, rt: RT = Depends(runtime), p: Principal = Depends(authenticated)
) -> dict[str, Any]:
    return out(await projects.create_project(rt.uow(), p, body.model_dump()))


@router.get("/projects")
async def list_projects(
    community_code: str | None = None,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> list[dict[str, Any]]:
    return [_project(x) for x in await projects.list_projects(rt.uow(), p, community_code)]


def _project(project: projects.Project) -> dict[str, Any]:
    return {
        **out(project),
        "percent_done": project.percent_done,
        "slots_left": project.slots_left,
        "mean_rating": project.mean_rating,
    }


@router.get("/projects/{project_id}")
async def get_project(
    project_id: UUID, rt: RT = Depends(runtime), p: Principal = Depends(authenticated)
) -> dict[str, Any]:
    return _project(await projects.get_project(rt.uow(), p, project_id))


@router.post("/projects/{project_id}/claims")
async def claim_project(
    project_id: UUID,
    body: ClaimIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    claimed = await projects.claim_project(rt.uow(), p, project_id, body.member_unit_code)
    return _project(claimed)


async def _change(
    rt: RT, p: Principal, project_id: UUID, step: str, fields: dict[str, Any]
) -> dict[str, Any]:
    return _project(await projects.change_project(rt.uow(), p, project_id, step, fields))


@router.post("/projects/{project_id}/responsibilities")
async def assign(
    project_id: UUID,
    body: ResponsibilityIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _change(rt, p, project_id, "assign", body.model_dump())


@router.post("/projects/{project_id}/responsibilities/{responsibility_id}/complete")
async def complete(
    project_id: UUID,
    responsibility_id: UUID,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _change(rt, p, project_id, "complete", {"responsibility_id": responsibility_id})


@router.post("/projects/{project_id}/milestones")
async def add_milestone(
    project_id: UUID,
    body: MilestoneIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _change(rt, p, project_id, "milestone", body.model_dump())


@router.post("/projects/{project_id}/progress")
async def report_progress(
    project_id: UUID,
    body: ProgressIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _change(rt, p, project_id, "progress", body.model_dump())


@router.post("/projects/{project_id}/finish")
async def finish(
    project_id: UUID, rt: RT = Depends(runtime), p: Principal = Depends(authenticated)
) -> dict[str, Any]:
    return await _change(rt, p, project_id, "finish", {})


@router.post("/projects/{project_id}/ratings")
async def rate(
    project_id: UUID,
    body: RatingIn,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> dict[str, Any]:
    return await _change(rt, p, project_id, "rate", body.model_dump())


@router.get("/responsibilities")
async def responsibilities(
    community_code: str | None = None,
    holder_code: str | None = None,
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> list[dict[str, Any]]:
    """The responsibilities list: overdue first, then by due date."""
    lines = await projects.responsibilities(rt.uow(), p, community_code, holder_code)
    return [out(x) for x in lines]


@router.get("/claims/flags")
async def claim_flags(
    community_code: str,
    year: int = Query(ge=2000, le=2100),
    member_unit_codes: list[str] = Query([], max_length=200),
    rt: RT = Depends(runtime),
    p: Principal = Depends(authenticated),
) -> list[dict[str, Any]]:
    """Units beyond two claims this year, or with none by the end of Q1."""
    found = await projects.flags(rt.uow(), p, community_code, member_unit_codes, year)
    return [out(f) for f in found]
