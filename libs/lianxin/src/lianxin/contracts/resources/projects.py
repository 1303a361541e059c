"""Projects (项目清单) and responsibilities (责任清单)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData


class ProjectEvent(EventData):
    """What the events of a project as a whole start with."""

    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    community_code: str


class ProjectCreated(ProjectEvent):
    SUBJECT: ClassVar[str] = "resources.project.created"

    meeting_id: UUID | None = None
    title: str
    slots: int = Field(ge=1)
    due_at: datetime
    at: datetime


class ProjectClaimed(ProjectEvent):
    """A member unit claimed a slot; `beyond_practice`: its third or later claim this year."""

    SUBJECT: ClassVar[str] = "resources.project.claimed"

    member_unit_code: str
    beyond_practice: bool
    slots_left: int = Field(ge=0)
    at: datetime


class ResponsibilityEvent(EventData):
    """What every event about one holder's responsibility on a project starts with."""

    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    responsibility_id: UUID
    holder_code: str


class ResponsibilityAssigned(ResponsibilityEvent):
    SUBJECT: ClassVar[str] = "resources.project.responsibility_assigned"

    task: str
    due_at: datetime
    at: datetime


class ResponsibilityCompleted(ResponsibilityEvent):
    SUBJECT: ClassVar[str] = "resources.project.responsibility_completed"

    late: bool
    at: datetime


class ResponsibilityOverdue(ResponsibilityEvent):
    """A rung of the overdue ladder: `community` at due, `street` a period later."""

    SUBJECT: ClassVar[str] = "resources.responsibility.overdue"
    # Its own subject's aggregate, unlike the project's other events.
    AGGREGATE_ID: ClassVar[str] = "responsibility_id"

    due_at: datetime
    rung: Literal["community", "street"]
    at: datetime


class MilestoneAdded(EventData):
    SUBJECT: ClassVar[str] = "resources.project.milestone_added"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    milestone_id: UUID
    title: str
    due_at: datetime
    at: datetime


class ProgressReported(EventData):
    SUBJECT: ClassVar[str] = "resources.project.progress_reported"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    reported_by: str
    percent_done: int = Field(ge=0, le=100)
    note: str
    at: datetime


class ProjectFinished(ProjectEvent):
    SUBJECT: ClassVar[str] = "resources.project.finished"

    claimant_codes: list[str]
    on_time: bool
    at: datetime


class ProjectRated(EventData):
    """A household's rating of a finished project, 1 to 5, and the mean so far."""

    SUBJECT: ClassVar[str] = "resources.project.rated"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    rating: int = Field(ge=1, le=5)
    mean_rating: float
    ratings: int = Field(ge=1)
    at: datetime
