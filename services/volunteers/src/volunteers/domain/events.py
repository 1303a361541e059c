"""What happens among the volunteers, as plain facts.

All the context's events live in this one module rather than beside their aggregates because:
the service layer drains events from several aggregates in one command (a redemption touches an
item and the ledger, a shift's check-out ends in a points transfer) and maps each to its contract
in `lianxin.contracts.volunteers`; one catalogue is what that mapping, and the AsyncAPI document,
are checked against. Aggregates import this module; it imports none of them, so no cycle.

Events carry ids and codes, never a volunteer's contact details (a notification gateway looks
those up under the privacy rules); `at` is the moment by the domain's clock (the `now` passed in).
`MobilisationStarted` keeps its first shape: it travels today as
`volunteers.mobilisation.started` and the handler builds the contract from `vars()` of it.
A class the events extend (`SignUpEvent`, `RedemptionEvent`…) is the fields they start with, not
an event itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

# -- volunteers and teams ------------------------------------------------------------------


@dataclass(frozen=True)
class VolunteerRegistered:
    volunteer_id: UUID
    community_code: str
    person_code: str | None
    party_member_kind: str | None
    employer_branch_code: str | None
    home_node_path: tuple[str, ...]
    skills: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class VolunteerUpdated:
    volunteer_id: UUID
    changed: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class TeamFormed:
    team_id: UUID
    community_code: str
    name: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class TeamMemberEvent:
    team_id: UUID
    volunteer_id: UUID


@dataclass(frozen=True)
class TeamJoined(TeamMemberEvent):
    role: str
    at: datetime


@dataclass(frozen=True)
class TeamLeft(TeamMemberEvent):
    at: datetime


# -- activities and shifts -----------------------------------------------------------------


@dataclass(frozen=True)
class ActivityPlanned:
    activity_id: UUID
    community_code: str
    node_code: str
    kind: str
    title: str
    at: datetime


@dataclass(frozen=True)
class ShiftScheduled:
    shift_id: UUID
    activity_id: UUID
    starts_at: datetime
    ends_at: datetime
    place: str
    places: int


@dataclass(frozen=True)
class SignUpEvent:
    """About one volunteer's place on a shift."""

    shift_id: UUID
    volunteer_id: UUID


@dataclass(frozen=True)
class ShiftSignedUp(SignUpEvent):
    at: datetime


@dataclass(frozen=True)
class ShiftCancelled(SignUpEvent):
    at: datetime


@dataclass(frozen=True)
class ShiftCalledOff:
    """A coordinator called the whole shift off; `released` were signed up."""

    shift_id: UUID
    reason: str
    by: str
    released: tuple[UUID, ...]
    at: datetime


@dataclass(frozen=True)
class CheckedIn(SignUpEvent):
    by: str  # the team leader's id, or "code" when the volunteer showed the shift's code
    at: datetime


@dataclass(frozen=True)
class CheckedOut(SignUpEvent):
    by: str
    hours: Decimal
    # What the points transfer for these hours will carry as its unique source key.
    source_key: str
    at: datetime


@dataclass(frozen=True)
class NoShowMarked(SignUpEvent):
    by: str
    at: datetime


# -- the ledger and the shop ---------------------------------------------------------------


@dataclass(frozen=True)
class PointsTransferred:
    transfer_id: UUID
    kind: str
    from_account: str
    to_account: str
    amount: int
    actor: str
    reason: str
    source_key: str
    reverses: UUID | None
    at: datetime


@dataclass(frozen=True)
class ItemStocked:
    item_id: UUID
    community_code: str
    name: str
    donor_kind: str
    donor: str
    price: int
    added: int
    stock: int
    at: datetime


@dataclass(frozen=True)
class ItemRetired:
    """A coordinator took the good off the shelf; its past redemptions stay in the book."""

    item_id: UUID
    community_code: str
    by: str
    at: datetime


@dataclass(frozen=True)
class RedemptionEvent:
    redemption_id: UUID
    item_id: UUID
    volunteer_id: UUID


@dataclass(frozen=True)
class ItemRedeemed(RedemptionEvent):
    price: int
    transfer_id: UUID
    handed_over_by: str
    at: datetime


@dataclass(frozen=True)
class RedemptionCancelled(RedemptionEvent):
    refund_transfer_id: UUID
    reason: str
    at: datetime


# -- double report (双报到) ------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRecordReported:
    """An in-service member's record for a period, sent back to the employer's party branch."""

    volunteer_id: UUID
    person_code: str | None
    employer_unit_code: str
    employer_branch_code: str
    period: str
    services: int
    hours: Decimal
    at: datetime


# -- mobilisation (应急动员) -----------------------------------------------------------------


@dataclass(frozen=True)
class MobilisationStarted:
    mobilisation_id: UUID
    community_code: str
    grid_code: str
    incident_id: UUID


@dataclass(frozen=True)
class SquadFormed:
    mobilisation_id: UUID
    squad: int
    leader_id: UUID
    member_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class MobilisationCalled:
    """One per person called up: what a notification gateway turns into an SMS or a push."""

    mobilisation_id: UUID
    incident_id: UUID
    volunteer_id: UUID
    squad: int
    leads_squad: bool
    tier: str
    at: datetime


@dataclass(frozen=True)
class CallUpEvent:
    """About one person called up."""

    mobilisation_id: UUID
    volunteer_id: UUID


@dataclass(frozen=True)
class CallUpAnswered(CallUpEvent):
    accepted: bool
    at: datetime


@dataclass(frozen=True)
class SquadLeaderChanged:
    mobilisation_id: UUID
    squad: int
    leader_id: UUID | None


@dataclass(frozen=True)
class ArrivedOnSite(CallUpEvent):
    at: datetime


@dataclass(frozen=True)
class MobilisationClosed:
    mobilisation_id: UUID
    incident_id: UUID
    # (volunteer, hours, source key) for each person who was on site: to become points.
    hours: tuple[tuple[UUID, Decimal, str], ...]
    at: datetime
