"""Joint meetings (联席会议): schedule, agenda, attendance, decisions, minutes, close.

Closing publishes the decisions and carries them out in the same transaction: each project
decided is created (with its needs taken into it), each responsibility given is assigned on its
project, each need declined is declined with the meeting's reason. Projects and needs are locked
in id order after the meeting, so two commands on the same objects cannot deadlock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal, Role
from lianxin.errors import NotFound, RuleBroken
from resources.domain import events
from resources.domain.feedback import feedback_list
from resources.domain.matching import suggest
from resources.domain.meetings import JointMeeting, build_agenda
from resources.domain.projects import Project
from resources.service_layer.pipeline import (
    COORDINATORS,
    LIAISON,
    MEETING,
    Clock,
    act,
    create,
    may,
    read_list,
    sees,
    utcnow,
)
from resources.service_layer.unit_of_work import ResourcesUnitOfWork


async def schedule_meeting(
    uow: ResourcesUnitOfWork, principal: Principal, fields: dict[str, Any], clock: Clock = utcnow
) -> JointMeeting:
    """The chair is the big committee's rotating chair of the term (organisation's rotation):
    the secretary names it."""
    return await create(
        uow, principal, MEETING, JointMeeting.schedule, fields, roles=COORDINATORS, clock=clock
    )


async def _draft(uow: ResourcesUnitOfWork, meeting: JointMeeting, now: datetime) -> Any:
    """Open needs with their best matches, and the feedback on the last closed meeting."""
    needs = await uow.needs.in_communities({meeting.community_code})
    offers = await uow.offers.in_communities({meeting.community_code})
    undecided = [n for n in needs if n.undecided]
    suggestions = {n.id: suggest(n, offers, now, 3) for n in undecided}
    feedback: tuple = ()
    previous = await uow.meetings.last_closed(meeting.community_code, meeting.scheduled_at)
    if previous is not None:
        ids = {getattr(d, "project_id", None) for d in previous.decisions} - {None}
        projects = {p.id: p for p in await uow.projects.many(ids)}  # type: ignore[arg-type]
        needs_by_id = {n.id: n for n in needs}
        feedback = feedback_list(previous, projects, needs_by_id, now)
    return build_agenda(undecided, suggestions, feedback)


async def build_meeting_agenda(
    uow: ResourcesUnitOfWork, principal: Principal, meeting_id: UUID, clock: Clock = utcnow
) -> JointMeeting:
    async def command(meeting: JointMeeting, now: datetime) -> None:
        meeting.set_agenda(await _draft(uow, meeting, now))
        meeting.recorded("agenda", now)

    return await act(uow, principal, MEETING, meeting_id, command, roles=COORDINATORS, clock=clock)


async def update_meeting(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    meeting_id: UUID,
    step: str,
    fields: dict[str, Any],
    clock: Clock = utcnow,
) -> JointMeeting:
    """One step of the meeting's draft: attendance, a decision, the minutes."""

    def command(meeting: JointMeeting, now: datetime) -> None:
        if step == "attendance":
            meeting.record_attendance(fields["units_present"], fields["departments_present"])
        elif step == "project":
            meeting.decide_project(**fields)
        elif step == "responsibility":
            meeting.give_responsibility(**fields)
        elif step == "decline":
            meeting.decline_need(fields["need_id"], fields["reason"])
        elif step == "minutes":
            meeting.write_minutes(fields["minutes"])
        else:
            raise RuleBroken("step", f"no such step: {step}")
        meeting.recorded(step, now)

    return await act(uow, principal, MEETING, meeting_id, command, roles=COORDINATORS, clock=clock)


async def close_meeting(
    uow: ResourcesUnitOfWork, principal: Principal, meeting_id: UUID, clock: Clock = utcnow
) -> JointMeeting:
    async def command(meeting: JointMeeting, now: datetime) -> None:
        meeting.close(now)
        await _carry_out(uow, meeting.community_code, meeting.events, now)

    return await act(uow, principal, MEETING, meeting_id, command, roles=COORDINATORS, clock=clock)


async def _carry_out(
    uow: ResourcesUnitOfWork, community_code: str, decided: list[object], now: datetime
) -> None:
    new = [d for d in decided if isinstance(d, events.ProjectDecided)]
    given = [d for d in decided if isinstance(d, events.ResponsibilityGiven)]
    declined = [d for d in decided if isinstance(d, events.NeedDeclinedAtMeeting)]
    need_ids = {n for d in new for n in d.need_ids} | {d.need_id for d in declined}
    needs = {n.id: n for n in await uow.needs.lock(need_ids)}
    for d in new:
        project = Project.from_decision(d)
        uow.projects.add(project)
        for need_id in d.need_ids:
            if need_id not in needs:
                raise NotFound("need", need_id)
            needs[need_id].take_into_project(project.id, now)
    earlier = {d.project_id for d in given} - {d.project_id for d in new}
    await uow.projects.lock(earlier)
    for d in given:
        project = await uow.projects.get(d.project_id, for_update=True)
        if project is None or project.community_code != community_code:
            raise RuleBroken("project_id", f"no project {d.project_id} to give this to")
        project.assign(d.holder_code, d.task, d.due_at, now, d.responsibility_id)
    for d in declined:
        if d.need_id not in needs:
            raise NotFound("need", d.need_id)
        needs[d.need_id].decline(d.reason, now)


async def get_meeting(
    uow: ResourcesUnitOfWork, principal: Principal, meeting_id: UUID
) -> JointMeeting:
    """A department sees a meeting it was invited to, and nothing else here; of the others, who
    may list the meetings (coordinators, liaisons) may read one."""
    async with uow:
        meeting = await uow.meetings.get(meeting_id)
    if meeting is not None:
        if principal.role is Role.DEPARTMENT_OPERATOR:
            if principal.scope.department in meeting.invited_department_codes:
                return meeting
        elif sees(principal, meeting.community_code):
            may(principal, COORDINATORS | LIAISON)
            return meeting
    raise NotFound("meeting", meeting_id)


async def list_meetings(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[JointMeeting]:
    roles = COORDINATORS | LIAISON
    return await read_list(uow, principal, MEETING, community_code, roles=roles)
