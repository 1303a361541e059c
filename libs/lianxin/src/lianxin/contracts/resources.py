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


class WishClosed(EventData):
    """A micro-wish (微心愿) was fulfilled and closed: who fulfilled it earns volunteer points
    once (volunteers credits `claimant_kind == "party_member"` under the key `wish:<wish_id>`)."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.closed.v1"
    SUBJECT: ClassVar[str] = "resources.wish.closed"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    claimant_kind: str  # "party_member", "member_unit", "volunteer"…
    claimant_id: str  # a volunteer's id when claimant_kind names a person
