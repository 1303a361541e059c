"""What the HTTP API takes and gives. Pydantic checks shapes (a bad field is a 422 naming it);
the domain checks rules (a broken rule is a 422 naming its field, a wrong state a 409)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from lianxin.inputs import Body
from volunteers.domain.shop import MAX_PRICE, MAX_STOCK

Text = Field(min_length=1, max_length=200)


class VolunteerIn(Body):
    community_code: str = Text
    name: str = Text
    contact: str = Text
    home_node_path: list[str] = Field(min_length=1)
    skills: list[str] = []
    person_code: str | None = None
    # The organisation account (username) she signs in with; one profile per account.
    account: str | None = Field(default=None, max_length=200)
    party_member_kind: (
        Literal["registered", "transferred_retiree", "in_service", "mobile"] | None
    ) = None
    employer_unit_code: str | None = None
    employer_branch_code: str | None = None
    consent_to_contact: bool = False


class VolunteerOut(BaseModel):
    id: UUID
    community_code: str
    name: str
    contact: str  # masked unless the caller may see it or the volunteer consented
    home_node_path: list[str]
    skills: list[str]
    person_code: str | None
    account: str | None
    party_member_kind: str | None
    employer_unit_code: str | None
    employer_branch_code: str | None
    consent_to_contact: bool


class ConsentIn(Body):
    consent_to_contact: bool


class TeamIn(Body):
    community_code: str = Text
    name: str = Text
    kind: Literal["red_vest", "patrol", "helping", "emergency", "other"]


class MembershipIn(Body):
    volunteer_id: UUID
    role: Literal["leader", "member"] = "member"


class MembershipOut(BaseModel):
    volunteer_id: UUID
    role: str
    joined_at: datetime
    left_at: datetime | None


class TeamOut(BaseModel):
    id: UUID
    community_code: str
    name: str
    kind: str
    memberships: list[MembershipOut]


class ActivityIn(Body):
    community_code: str = Text
    node_code: str = Text
    kind: str = Text
    title: str = Text
    team_id: UUID | None = None
    emergency: bool = False


class ActivityOut(BaseModel):
    id: UUID
    community_code: str
    node_code: str
    kind: str
    title: str
    team_id: UUID | None
    emergency: bool


class ShiftIn(Body):
    starts_at: datetime
    ends_at: datetime
    place: str = Text
    places: int = Field(ge=1, le=10_000)


class SignUpOut(BaseModel):
    volunteer_id: UUID
    status: str
    signed_up_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: Decimal
    name: str | None = None  # on a shift's roster (its coordinators and team leader)


class ShiftOut(BaseModel):
    id: UUID
    activity_id: UUID
    community_code: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    place: str
    places: int
    places_open: int
    team_id: UUID | None
    code: str | None = None  # only for the shift's coordinators and team leader
    # Set when a coordinator called the shift off (its sign-ups then `released`).
    called_off_at: datetime | None = None
    called_off_reason: str | None = None
    sign_ups: list[SignUpOut] = []


class CallOffIn(Body):
    reason: str = Text


class AttendIn(Body):
    volunteer_id: UUID
    code: str | None = Field(default=None, min_length=1, max_length=20)


class TransferOut(BaseModel):
    id: UUID
    kind: str
    from_account: str
    to_account: str
    amount: int
    actor: str
    reason: str
    source_key: str
    at: datetime
    reverses: UUID | None


class PassbookOut(BaseModel):
    volunteer_id: UUID
    account_id: str
    spendable: int
    lifetime: int
    stars: int
    transfers: list[TransferOut]


class AdjustIn(Body):
    volunteer_id: UUID
    amount: int = Field(gt=0, le=100_000)
    reason: str = Text
    source_key: str | None = Field(default=None, min_length=1, max_length=200)


class ExpireIn(Body):
    volunteer_id: UUID
    amount: int = Field(gt=0, le=100_000)
    reason: str = Text


class ReverseIn(Body):
    reason: str = Text


class RulesIn(Body):
    per_hour: dict[str, int] = {}
    default_per_hour: int = Field(default=10, ge=0, le=10_000)
    night_multiplier: Decimal = Field(default=Decimal("1.5"), ge=1)
    emergency_multiplier: Decimal = Field(default=Decimal(2), ge=1)
    daily_cap: int = Field(default=120, ge=0, le=100_000)


class ItemIn(Body):
    community_code: str = Text
    name: str = Text
    donor_kind: Literal["civil_affairs", "member_unit", "firm", "resident"]
    donor: str = Text
    price: int = Field(gt=0, le=MAX_PRICE)
    stock: int = Field(gt=0, le=MAX_STOCK)


class RestockIn(Body):
    added: int = Field(gt=0, le=MAX_STOCK)


class ItemOut(BaseModel):
    id: UUID
    community_code: str
    name: str
    donor_kind: str
    donor: str
    price: int
    stock: int
    retired_at: datetime | None = None


class RedeemIn(Body):
    volunteer_id: UUID
    handed_over_by: str = Text


class RedemptionOut(BaseModel):
    id: UUID
    item_id: UUID
    volunteer_id: UUID
    price: int
    transfer_id: UUID
    handed_over_by: str
    redeemed_at: datetime
    status: str
    refund_transfer_id: UUID | None
    cancelled_at: datetime | None


class AnswerIn(Body):
    volunteer_id: UUID
    accepted: bool


class OnSiteIn(Body):
    volunteer_id: UUID
