"""The feedback list (反馈清单): where each decision of the previous meeting stands now.

Derived, never stored: read from the projects and needs as they are, so it cannot disagree with
them. One line per decision, in the order decided, with a state a secretary reads out:

| decision              | states                                                               |
|-----------------------|----------------------------------------------------------------------|
| project created       | not_claimed, on_track, overdue, finished_on_time, finished_late       |
| responsibility given  | in_hand, overdue, done, done_late                                    |
| need declined         | declined (its reason, so residents get an answer)                    |

`missing` on any line: the decision has not reached the project or need yet (its event is still
on the way) — worth saying rather than hiding. A project is overdue when it is past its due date
unfinished or any of its responsibilities is overdue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lianxin.errors import Conflict
from resources.domain.common import local_day
from resources.domain.meetings import (
    DeclineDecision,
    JointMeeting,
    MeetingStatus,
    ProjectDecision,
    ResponsibilityDecision,
)
from resources.domain.needs import Need, NeedStatus
from resources.domain.projects import Project, ProjectStatus
from resources.domain.responsibilities import state_of


@dataclass(frozen=True)
class FeedbackItem:
    decision: str
    subject_id: UUID
    title: str
    state: str
    percent_done: int | None
    detail: str


def feedback_list(
    previous: JointMeeting,
    projects: Mapping[UUID, Project],
    needs: Mapping[UUID, Need],
    now: datetime,
) -> tuple[FeedbackItem, ...]:
    if previous.status is not MeetingStatus.CLOSED:
        raise Conflict(f"meeting {previous.id} is not closed: its decisions are not taken yet")
    items: list[FeedbackItem] = []
    for d in previous.decisions:
        if isinstance(d, ProjectDecision):
            items.append(_project_line(d, projects.get(d.project_id), now))
        elif isinstance(d, ResponsibilityDecision):
            items.append(_responsibility_line(d, projects.get(d.project_id), now))
        else:
            items.append(_decline_line(d, needs.get(d.need_id)))
    return tuple(items)


def _project_line(d: ProjectDecision, project: Project | None, now: datetime) -> FeedbackItem:
    if project is None:
        return FeedbackItem("project_created", d.project_id, d.title, "missing", None, "")
    parts = [f"due {local_day(project.due_at)}"]
    if project.claims:
        parts.append("claimed by " + ", ".join(project.claimant_codes))
    overdue = project.overdue(now)
    if overdue:
        parts.append(f"{len(overdue)} responsibilities overdue")
    if project.status is ProjectStatus.FINISHED and project.mean_rating is not None:
        parts.append(f"rated {project.mean_rating:.1f} by {len(project.ratings)}")
    return FeedbackItem(
        "project_created",
        project.id,
        project.title,
        project_state(project, now),
        project.percent_done,
        "; ".join(parts),
    )


def project_state(project: Project, now: datetime) -> str:
    """Where a project stands: the feedback list's state, and the projects list's filter."""
    if project.status is ProjectStatus.FINISHED:
        return "finished_on_time" if project.on_time else "finished_late"
    if project.status is ProjectStatus.OPEN:
        return "not_claimed"
    return "overdue" if project.overdue(now) or now > project.due_at else "on_track"


def _responsibility_line(
    d: ResponsibilityDecision, project: Project | None, now: datetime
) -> FeedbackItem:
    found = [r for r in project.responsibilities if r.id == d.responsibility_id] if project else []
    if not found:
        return FeedbackItem(
            "responsibility_given", d.responsibility_id, d.task, "missing", None, ""
        )
    r = found[0]
    when = f"done {local_day(r.done_at)}" if r.done_at else f"due {local_day(r.due_at)}"
    detail = f"{r.holder_code}, {when}"
    return FeedbackItem("responsibility_given", r.id, r.task, state_of(r, now), None, detail)


def _decline_line(d: DeclineDecision, need: Need | None) -> FeedbackItem:
    if need is None or need.status is not NeedStatus.DECLINED:
        title = need.title if need else ""
        return FeedbackItem("need_declined", d.need_id, title, "missing", None, d.reason)
    return FeedbackItem("need_declined", need.id, need.title, "declined", None, d.reason)
