"""Events of the resources context (stream RESOURCES)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from lianxin.contracts.envelope import EventData


class NeedOpened(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.need.opened.v1"
    SUBJECT: ClassVar[str] = "resources.need.opened"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    title: str
    source_incident_id: UUID | None = None
