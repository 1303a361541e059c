"""Needs (需求清单): what a community's residents, merchants and units need, and its answer."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData


class NeedEvent(EventData):
    """What every event about one need starts with."""

    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str


class NeedOpened(NeedEvent):
    """Deprecated: replaced by `NeedRecorded` (resources.need.recorded). Published for every
    escalation until resources stopped opening needs automatically; no longer published, kept so
    that old readers' schema stays documented."""

    SUBJECT: ClassVar[str] = "resources.need.opened"

    title: str
    source_incident_id: UUID | None = None


class NeedRecorded(NeedEvent):
    """A need joined the community's needs list (from a grid, or from an incident by decision)."""

    SUBJECT: ClassVar[str] = "resources.need.recorded"

    grid_node_code: str
    category: str
    title: str
    affected: str
    affected_count: int = Field(ge=1)
    urgency: Literal["high", "normal", "low"]
    source: Literal["resident", "merchant", "unit", "incident"]
    source_incident_id: UUID | None = None
    origin_ref: str = ""
    at: datetime


class NeedMatched(NeedEvent):
    SUBJECT: ClassVar[str] = "resources.need.matched"

    resource_offer_ids: list[UUID]
    at: datetime


class NeedTakenIntoProject(NeedEvent):
    SUBJECT: ClassVar[str] = "resources.need.taken_into_project"

    project_id: UUID
    at: datetime


class NeedMet(NeedEvent):
    SUBJECT: ClassVar[str] = "resources.need.met"

    note: str
    at: datetime


class NeedDeclined(NeedEvent):
    """Declined with its reason, so the residents get an answer."""

    SUBJECT: ClassVar[str] = "resources.need.declined"

    reason: str
    at: datetime
