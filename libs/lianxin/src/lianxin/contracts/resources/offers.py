"""Resources (资源清单): member units' offers, and emergency offers in wartime."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData


class OfferEvent(EventData):
    """What every event about one member unit's offer starts with."""

    AGGREGATE_ID: ClassVar[str] = "offer_id"

    offer_id: UUID
    member_unit_code: str


class OfferFiled(OfferEvent):
    SUBJECT: ClassVar[str] = "resources.offer.filed"

    community_code: str
    kind: Literal["venue", "funds", "expertise", "people", "goods", "vehicle"]
    title: str
    quantity: int = Field(ge=1)
    unit: str
    emergency_available: bool
    at: datetime


class OfferRefreshed(OfferEvent):
    """The half-yearly look at an offer: what is left and until when."""

    SUBJECT: ClassVar[str] = "resources.offer.refreshed"

    quantity_left: int = Field(ge=0)
    available_until: datetime | None = None
    at: datetime


class OfferUsed(OfferEvent):
    """Some of an offer went to a project, a need or, in an emergency, an incident
    (`reference_id`)."""

    SUBJECT: ClassVar[str] = "resources.offer.used"

    quantity: int = Field(ge=1)
    quantity_left: int = Field(ge=0)
    purpose: str
    reference_id: UUID | None = None
    at: datetime


class OfferWithdrawn(OfferEvent):
    SUBJECT: ClassVar[str] = "resources.offer.withdrawn"

    at: datetime


class EmergencyOffersMade(EventData):
    """A wartime escalation: the member units' emergency offers put before the coordinator."""

    SUBJECT: ClassVar[str] = "resources.emergency.offers_made"
    AGGREGATE_ID: ClassVar[str] = "incident_id"

    incident_id: UUID
    community_code: str
    offer_ids: list[UUID]
    at: datetime
