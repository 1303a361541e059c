"""Micro-wishes (微心愿): 点单 recorded, 派单 published, 接单 claimed, delivered, 销单 closed."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from lianxin.contracts.envelope import EventData

ClaimantKind = Literal["member_unit", "party_member"]


class WishEvent(EventData):
    """What every event about one micro-wish starts with."""

    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str


class ClaimedWishEvent(WishEvent):
    """A step of a claimed wish: who holds it."""

    claimant_kind: ClaimantKind
    claimant_id: str


class WishRecorded(WishEvent):
    SUBJECT: ClassVar[str] = "resources.wish.recorded"

    grid_node_code: str
    title: str
    at: datetime


class WishPublished(WishEvent):
    SUBJECT: ClassVar[str] = "resources.wish.published"

    grid_node_code: str
    title: str
    at: datetime


class WishClaimed(ClaimedWishEvent):
    SUBJECT: ClassVar[str] = "resources.wish.claimed"

    at: datetime


class WishDelivered(ClaimedWishEvent):
    SUBJECT: ClassVar[str] = "resources.wish.delivered"

    photo_ref: str | None = None
    at: datetime


class WishDeliveryReturned(ClaimedWishEvent):
    """The resident says it did not arrive as wished: back to the same claimant."""

    SUBJECT: ClassVar[str] = "resources.wish.delivery_returned"

    reason: str
    at: datetime


class WishClosed(ClaimedWishEvent):
    """销单: the grid confirmed with the resident, the wish is fulfilled. Volunteers credit the
    party member (`claimant_kind` party_member, `claimant_id` the volunteer) on this."""

    SUBJECT: ClassVar[str] = "resources.wish.closed"

    at: datetime


class WishWithdrawn(WishEvent):
    SUBJECT: ClassVar[str] = "resources.wish.withdrawn"

    reason: str
    at: datetime
