"""Events of the volunteers context (stream VOLUNTEERS).

What other services, employers' party branches and a notification gateway read. None carries a
volunteer's contact details except `MobilisationCalled`, and only when the volunteer consented
(masked otherwise), as for reporters. Accounts appear by id (`passbook:<volunteer id>`,
`issuing:<community>`…), never by a person's name.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from lianxin.contracts.envelope import EventData

TransferKind = Literal["earn", "adjust", "redeem", "expire", "refund", "reversal"]
Tier = Literal["micro_grid", "grid", "community"]


class MobilisationStarted(EventData):
    """Wartime: the affected grid's volunteers and in-service party members are called up."""

    SUBJECT: ClassVar[str] = "volunteers.mobilisation.started"
    AGGREGATE_ID: ClassVar[str] = "mobilisation_id"

    mobilisation_id: UUID
    community_code: str
    grid_code: str
    incident_id: UUID


class VolunteerRegistered(EventData):
    """A resident, party member or in-service member (双报到) signed on as a volunteer."""

    SUBJECT: ClassVar[str] = "volunteers.volunteer.registered"
    AGGREGATE_ID: ClassVar[str] = "volunteer_id"

    volunteer_id: UUID
    community_code: str
    person_code: str | None = None
    party_member_kind: str | None = None
    employer_branch_code: str | None = None
    home_node_path: list[str]
    skills: list[str] = Field(default_factory=list)
    at: datetime


class SignUpEvent(EventData):
    """What every event about one volunteer's place on a shift starts with."""

    AGGREGATE_ID: ClassVar[str] = "shift_id"

    shift_id: UUID
    volunteer_id: UUID


class ShiftSignedUp(SignUpEvent):
    SUBJECT: ClassVar[str] = "volunteers.shift.signed_up"

    at: datetime


class ShiftCancelled(SignUpEvent):
    """A volunteer withdrew from a shift (the place opens again)."""

    SUBJECT: ClassVar[str] = "volunteers.shift.cancelled"

    at: datetime


class ShiftCalledOff(EventData):
    """A coordinator called the whole shift off before its start (not a volunteer withdrawing:
    that is `ShiftCancelled`). Those signed up are released; no points move."""

    SUBJECT: ClassVar[str] = "volunteers.shift.called_off"
    AGGREGATE_ID: ClassVar[str] = "shift_id"

    shift_id: UUID
    reason: str
    by: str = Field(description="the coordinator's id")
    released: list[UUID] = Field(description="the volunteers who were signed up")
    at: datetime


class CheckedIn(SignUpEvent):
    SUBJECT: ClassVar[str] = "volunteers.shift.checked_in"

    by: str = Field(description="the team leader's id, or 'code' for the shift's code")
    at: datetime


class CheckedOut(SignUpEvent):
    SUBJECT: ClassVar[str] = "volunteers.shift.checked_out"

    by: str
    hours: Decimal = Field(ge=0)
    source_key: str = Field(description="the unique key of the points transfer for these hours")
    at: datetime


class PointsTransferred(EventData):
    """One movement of the double-entry ledger; a correction is a later `reversal`."""

    SUBJECT: ClassVar[str] = "volunteers.points.transferred"
    AGGREGATE_ID: ClassVar[str] = "transfer_id"

    transfer_id: UUID
    kind: TransferKind
    from_account: str
    to_account: str
    amount: int = Field(gt=0)
    actor: str
    reason: str
    source_key: str = Field(description="unique across the ledger: what was credited")
    reverses: UUID | None = None
    at: datetime


class RedemptionEvent(EventData):
    """What every event about one redemption in the points shop starts with."""

    AGGREGATE_ID: ClassVar[str] = "redemption_id"

    redemption_id: UUID
    item_id: UUID
    volunteer_id: UUID


class ItemRedeemed(RedemptionEvent):
    """Goods from the points shop (积分超市), handed over by someone."""

    SUBJECT: ClassVar[str] = "volunteers.item.redeemed"

    price: int = Field(gt=0)
    transfer_id: UUID
    handed_over_by: str
    at: datetime


class RedemptionCancelled(RedemptionEvent):
    SUBJECT: ClassVar[str] = "volunteers.item.redemption_cancelled"

    refund_transfer_id: UUID
    reason: str
    at: datetime


class ServiceRecordReported(EventData):
    """双报到 服务纪实: an in-service member's period, for the employer's party branch."""

    SUBJECT: ClassVar[str] = "volunteers.service_record.reported"
    AGGREGATE_ID: ClassVar[str] = "volunteer_id"

    volunteer_id: UUID
    person_code: str | None = None
    employer_unit_code: str
    employer_branch_code: str
    period: str
    services: int = Field(ge=0)
    hours: Decimal = Field(ge=0)
    at: datetime


class MobilisationCalled(EventData):
    """One person called up: what a notification gateway turns into an SMS or a push."""

    SUBJECT: ClassVar[str] = "volunteers.mobilisation.called"
    AGGREGATE_ID: ClassVar[str] = "mobilisation_id"

    mobilisation_id: UUID
    incident_id: UUID
    volunteer_id: UUID
    squad: int = Field(ge=1)
    leads_squad: bool
    tier: Tier
    at: datetime
    # Where to go, and whom to reach: filled by the service from its own records.
    community_code: str = ""
    grid_code: str = ""
    name: str = ""
    # Masked ("138****5678") unless the volunteer consented to be contacted.
    contact: str = ""
    consent_to_contact: bool = False


class CallUpAnswered(EventData):
    SUBJECT: ClassVar[str] = "volunteers.mobilisation.answered"
    AGGREGATE_ID: ClassVar[str] = "mobilisation_id"

    mobilisation_id: UUID
    volunteer_id: UUID
    accepted: bool
    at: datetime


class ServedHours(BaseModel):
    """One person's time on site, as carried by `MobilisationClosed`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    volunteer_id: UUID
    hours: Decimal = Field(ge=0)
    source_key: str


class MobilisationClosed(EventData):
    """The incident is over: who served on site, and for how long (points follow)."""

    SUBJECT: ClassVar[str] = "volunteers.mobilisation.closed"
    AGGREGATE_ID: ClassVar[str] = "mobilisation_id"

    mobilisation_id: UUID
    incident_id: UUID
    hours: list[ServedHours]
    at: datetime
