"""Routes of joint meetings, projects and the responsibilities list."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from lianxin.auth import Caller
from lianxin.listings import Filter, Found, Listing, Search, add_listings, each_of
from lianxin.steps import Step
from resources.domain.claims import ClaimFlag
from resources.domain.feedback import project_state
from resources.domain.meetings import JointMeeting, MeetingStatus
from resources.domain.projects import Project, ProjectStatus
from resources.domain.responsibilities import ResponsibilityLine
from resources.entrypoints.answers import answer
from resources.entrypoints.schemas import (
    RT,
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
    add_step_routes,
    each,
    out,
)
from resources.service_layer import meetings, projects
from resources.service_layer.pipeline import utcnow

router = APIRouter(tags=["meetings and projects"])
PROJECT_STATES = ("not_claimed", "on_track", "overdue", "finished_on_time", "finished_late")
MeetingAnswer = answer(JointMeeting)
# A project as `_project` shapes it: its state and what is worked out from it.
ProjectAnswer = answer(
    Project,
    extra={
        "percent_done": {"type": "integer", "minimum": 0, "maximum": 100},
        "slots_left": {"type": "integer"},
        "mean_rating": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        "state": {"enum": list(PROJECT_STATES), "type": "string"},
    },
)
ResponsibilityLineAnswer = answer(ResponsibilityLine)
ClaimFlagAnswer = answer(ClaimFlag)


def _project(project: Project) -> dict[str, Any]:
    return {
        **out(project),
        "percent_done": project.percent_done,
        "slots_left": project.slots_left,
        "mean_rating": project.mean_rating,
        "state": project_state(project, utcnow()),
    }


MEETINGS = Search(
    words=("quarter", "chair_unit_code", "minutes"),
    filters=(Filter("status", "status", each_of(MeetingStatus)),),
    day="scheduled_at",
    order=lambda m: m["scheduled_at"],
    newest_first=True,
)
PROJECTS = Search(
    words=("title",),
    filters=(
        Filter("state", "state", PROJECT_STATES, "where it stands, as the feedback list says"),
        Filter("status", "status", each_of(ProjectStatus)),
    ),
    day="due_at",
)
RESPONSIBILITIES = Search(
    words=("task", "project_title", "holder_code"),
    filters=(Filter("state", "state", ("in_hand", "overdue", "done", "done_late")),),
    day="due_at",
)


add_listings(
    router,
    [
        Listing(
            "/meetings",
            "list_meetings",
            each(meetings.list_meetings),
            list[MeetingAnswer],
            search=MEETINGS,
        ),
        Listing(
            "/projects",
            "list_projects",
            each(projects.list_projects, _project),
            list[ProjectAnswer],
            search=PROJECTS,
        ),
    ],
    community_required=False,
)


@router.post("/meetings", status_code=201)
async def schedule_meeting(body: MeetingIn, rt: RT, p: Caller) -> MeetingAnswer:
    return out(await meetings.schedule_meeting(rt.uow(), p, body.model_dump()))


@router.get("/meetings/{meeting_id}")
async def get_meeting(meeting_id: UUID, rt: RT, p: Caller) -> MeetingAnswer:
    return out(await meetings.get_meeting(rt.uow(), p, meeting_id))


@router.post("/meetings/{meeting_id}/agenda")
async def build_agenda(meeting_id: UUID, rt: RT, p: Caller) -> MeetingAnswer:
    """The draft agenda: the last meeting's feedback, the open needs with their best matches."""
    return out(await meetings.build_meeting_agenda(rt.uow(), p, meeting_id))


# A meeting's record, step by step, until it closes.
MEETING_STEPS = [
    Step("attendance", "attendance", "attendance", AttendanceIn, method="PUT"),
    Step("decisions/projects", "decide_project", "project", ProjectDecisionIn),
    Step(
        "decisions/responsibilities",
        "give_responsibility",
        "responsibility",
        ResponsibilityDecisionIn,
    ),
    Step("decisions/declines", "decline_need", "decline", DeclineDecisionIn),
    Step("minutes", "minutes", "minutes", MinutesIn, method="PUT"),
]
add_step_routes(
    router, "/meetings", "meeting_id", meetings.update_meeting, MEETING_STEPS, MeetingAnswer
)


@router.post("/meetings/{meeting_id}/close")
async def close_meeting(meeting_id: UUID, rt: RT, p: Caller) -> MeetingAnswer:
    """Publishes the decisions and carries them out: projects, responsibilities, declines."""
    return out(await meetings.close_meeting(rt.uow(), p, meeting_id))


@router.post("/projects", status_code=201)
async def create_project(body: ProjectIn, rt: RT, p: Caller) -> ProjectAnswer:
    return _project(await projects.create_project(rt.uow(), p, body.model_dump()))


@router.get("/projects/{project_id}")
async def get_project(project_id: UUID, rt: RT, p: Caller) -> ProjectAnswer:
    return _project(await projects.get_project(rt.uow(), p, project_id))


PROJECT_STEPS = [
    Step("claims", "claim_project", "claim", ClaimIn),
    Step("responsibilities", "assign", "assign", ResponsibilityIn),
    Step("milestones", "add_milestone", "milestone", MilestoneIn),
    Step("progress", "report_progress", "progress", ProgressIn),
    Step("finish", "finish", "finish"),
    Step("ratings", "rate", "rate", RatingIn),
]
add_step_routes(
    router,
    "/projects",
    "project_id",
    projects.change_project,
    PROJECT_STEPS,
    ProjectAnswer,
    _project,
)


@router.post("/projects/{project_id}/responsibilities/{responsibility_id}/complete")
async def complete(
    project_id: UUID,
    responsibility_id: UUID,
    rt: RT,
    p: Caller,
) -> ProjectAnswer:
    fields = {"responsibility_id": responsibility_id}
    return _project(await projects.change_project(rt.uow(), p, project_id, "complete", fields))


@router.get("/responsibilities")
async def responsibilities(
    rt: RT,
    p: Caller,
    response: Response,
    community_code: str | None = None,
    holder_code: str | None = None,
    found: Found = Depends(RESPONSIBILITIES.found),
) -> list[ResponsibilityLineAnswer]:
    """The responsibilities list: overdue first, then by due date. The `X-Total-Count` header
    tells how many match, for paging with `limit` and `offset`."""
    lines = await projects.responsibilities(rt.uow(), p, community_code, holder_code)
    return found.page([out(x) for x in lines], response)


@router.get("/claims/flags")
async def claim_flags(
    community_code: str,
    rt: RT,
    p: Caller,
    year: int = Query(ge=2000, le=2100),
    member_unit_codes: list[str] = Query([], max_length=200),
) -> list[ClaimFlagAnswer]:
    """Units beyond two claims this year, or with none by the end of Q1."""
    found = await projects.flags(rt.uow(), p, community_code, member_unit_codes, year)
    return [out(f) for f in found]
