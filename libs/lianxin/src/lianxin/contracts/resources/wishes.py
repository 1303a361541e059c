"""Micro-wishes (微心愿): 点单 recorded, 派单 published, 接单 claimed, delivered, 销单 closed."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from lianxin.contracts.envelope import EventData

ClaimantKind = Literal["member_unit", "party_member"]


class WishRecorded(EventData):
    SUBJECT: ClassVar[str] = "resources.wish.recorded"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    grid_node_code: str
    title: str
    at: datetime


class WishPublished(EventData):
    SUBJECT: ClassVar[str] = "resources.wish.published"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    grid_node_code: str
    title: str
    at: datetime


class WishClaimed(EventData):
    SUBJECT: ClassVar[str] = "resources.wish.claimed"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    claimant_kind: ClaimantKind
    claimant_id: str
    at: datetime


class WishDelivered(EventData):
    SUBJECT: ClassVar[str] = "resources.wish.delivered"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    claimant_kind: ClaimantKind
    claimant_id: str
    photo_ref: str | None = None
    at: datetime


class WishDeliveryReturned(EventData):
    """The resident says it did not arrive as wished: back to the same claimant."""

    SUBJECT: ClassVar[str] = "resources.wish.delivery_returned"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    claimant_kind: ClaimantKind
    claimant_id: str
    reason: str
    at: datetime


class WishClosed(EventData):
    """销单: the grid confirmed with the resident, the wish is fulfilled. Volunteers credit the
    party member (`claimant_kind` party_member, `claimant_id` the volunteer) on this."""

    SUBJECT: ClassVar[str] = "resources.wish.closed"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    claimant_kind: ClaimantKind
    claimant_id: str
    at: datetime


class WishWithdrawn(EventData):
    SUBJECT: ClassVar[str] = "resources.wish.withdrawn"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    reason: str
    at: datetime
