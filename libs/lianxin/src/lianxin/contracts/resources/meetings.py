"""Joint meetings (联席会议): the decisions go out when the meeting closes, before MeetingClosed."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData


class MeetingEvent(EventData):
    """What the meeting's own events (not its decisions) start with."""

    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    community_code: str
    quarter: str
    chair_unit_code: str


class MeetingScheduled(MeetingEvent):
    SUBJECT: ClassVar[str] = "resources.meeting.scheduled"

    scheduled_at: datetime
    invited_department_codes: list[str]
    at: datetime


class MeetingRecorded(MeetingEvent):
    """A step of a scheduled meeting's record (`agenda`, `attendance`, `project`,
    `responsibility`, `decline`, `minutes`): a draft, final only when the meeting closes. Sent
    so that the meeting's open pages show it; nothing is carried out on it."""

    SUBJECT: ClassVar[str] = "resources.meeting.recorded"

    step: str
    at: datetime


class ProjectDecided(EventData):
    """A decision of a closed meeting: a project created."""

    SUBJECT: ClassVar[str] = "resources.meeting.project_decided"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    project_id: UUID
    community_code: str
    title: str
    need_ids: list[UUID]
    resource_offer_ids: list[UUID]
    slots: int = Field(ge=1)
    due_at: datetime
    at: datetime


class ResponsibilityGiven(EventData):
    """A decision of a closed meeting: who does what by when on a project."""

    SUBJECT: ClassVar[str] = "resources.meeting.responsibility_given"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    project_id: UUID
    responsibility_id: UUID
    holder_code: str
    task: str
    due_at: datetime
    at: datetime


class NeedDeclinedAtMeeting(EventData):
    """A decision of a closed meeting: a need declined, with its reason."""

    SUBJECT: ClassVar[str] = "resources.meeting.need_declined"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    need_id: UUID
    reason: str
    at: datetime


class MeetingClosed(MeetingEvent):
    """The meeting's record is final; `decisions` counts the decision events sent before it."""

    SUBJECT: ClassVar[str] = "resources.meeting.closed"

    units_present: list[str]
    departments_present: list[str]
    decisions: int = Field(ge=0)
    at: datetime
