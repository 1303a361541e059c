"""Needs (需求清单): what a community's residents, merchants and units need, and its answer."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData


class NeedOpened(EventData):
    """Deprecated: replaced by `NeedRecorded` (resources.need.recorded). Published for every
    escalation until resources stopped opening needs automatically; no longer published, kept so
    that old readers' schema stays documented."""

    SUBJECT: ClassVar[str] = "resources.need.opened"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    title: str
    source_incident_id: UUID | None = None


class NeedRecorded(EventData):
    """A need joined the community's needs list (from a grid, or from an incident by decision)."""

    SUBJECT: ClassVar[str] = "resources.need.recorded"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
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


class NeedMatched(EventData):
    SUBJECT: ClassVar[str] = "resources.need.matched"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    resource_offer_ids: list[UUID]
    at: datetime


class NeedTakenIntoProject(EventData):
    SUBJECT: ClassVar[str] = "resources.need.taken_into_project"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    project_id: UUID
    at: datetime


class NeedMet(EventData):
    SUBJECT: ClassVar[str] = "resources.need.met"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    note: str
    at: datetime


class NeedDeclined(EventData):
    """Declined with its reason, so the residents get an answer."""

    SUBJECT: ClassVar[str] = "resources.need.declined"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    reason: str
    at: datetime
