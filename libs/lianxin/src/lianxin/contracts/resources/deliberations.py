"""Residents' deliberation (议事): a meeting recorded, its record closed, each agreed item turned
into a need, an incident or a local resolution. Who came travels as counts only: a household's
address and a mediator's name stay in resources."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData

Kind = Literal["bench_meeting", "yard_meeting", "residents_council", "mediation"]
Level = Literal["building", "area", "community"]


class DeliberationEvent(EventData):
    AGGREGATE_ID: ClassVar[str] = "deliberation_id"

    deliberation_id: UUID
    community_code: str


class DeliberationRecorded(DeliberationEvent):
    SUBJECT: ClassVar[str] = "resources.deliberation.recorded"

    kind: Kind
    level: Level
    grid_node_code: str
    topic: str
    held_at: datetime
    incident_ids: list[UUID] = Field(description="the incidents it talks through")
    at: datetime


class DeliberationClosed(DeliberationEvent):
    """Its record is final: who came (as counts) and how many items were agreed."""

    SUBJECT: ClassVar[str] = "resources.deliberation.closed"

    kind: Kind
    level: Level
    households: int = Field(ge=0)
    member_units: int = Field(ge=0)
    mediators: int = Field(ge=0)
    agreed_items: int = Field(ge=1)
    at: datetime


class AgreedItemTurned(DeliberationEvent):
    """An agreed item became a need (`need_id`), an incident (`incident_id`) or a matter the
    residents settled themselves (`settlement`): a local resolution in the community's rates."""

    SUBJECT: ClassVar[str] = "resources.deliberation.item_turned"

    number: int = Field(ge=1)
    text: str
    outcome: Literal["need", "incident", "resolved_locally"]
    need_id: UUID | None = None
    incident_id: UUID | None = None
    settlement: str = ""
    at: datetime
