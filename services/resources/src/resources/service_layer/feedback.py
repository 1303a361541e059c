"""The feedback list (反馈清单) as it stands now: the decisions of a community's last closed joint
meeting and where each one is, read from the projects and needs as they are (the agenda of the
next meeting keeps the copy it was built with; this is the list between meetings)."""

from __future__ import annotations

from datetime import datetime, timedelta

from lianxin.auth import Principal, Role
from resources.domain.feedback import FeedbackItem, feedback_list
from resources.domain.meetings import JointMeeting
from resources.service_layer.pipeline import COORDINATORS, Clock, communities_of, may, utcnow
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

# Any meeting closed so far, whenever it was scheduled: a closed meeting has happened.
_AHEAD = timedelta(days=3660)


async def current_feedback(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str, clock: Clock = utcnow
) -> tuple[JointMeeting | None, tuple[FeedbackItem, ...]]:
    """(the community's last closed meeting, the feedback on its decisions now); who may read
    the meetings may read it (coordinators, liaisons)."""
    may(principal, COORDINATORS | {Role.MEMBER_UNIT_LIAISON})
    communities_of(principal, community_code)
    async with uow:
        now: datetime = clock()
        meeting = await uow.meetings.last_closed(community_code, now + _AHEAD)
        if meeting is None:
            return None, ()
        ids = {getattr(d, "project_id", None) for d in meeting.decisions} - {None}
        need_ids = {getattr(d, "need_id", None) for d in meeting.decisions} - {None}
        projects = {p.id: p for p in await uow.projects.many(ids)}  # type: ignore[arg-type]
        needs = {n.id: n for n in await uow.needs.many(need_ids)}  # type: ignore[arg-type]
    return meeting, feedback_list(meeting, projects, needs, now)
