"""The facts of the resources domain, one frozen dataclass per change, named in the past tense.

Why one module rather than events beside each aggregate: the service layer drains every
aggregate into the same outbox and maps each fact to its contract in `lianxin.contracts`; one
module is the one list to check against the contracts and the AsyncAPI document, as in
`incidents` and `organisation`. Aggregates import it as `events`; it imports nothing of theirs.

Personal data never travels: a wish's resident name and contact stay on the aggregate. Each fact
carries `at`, the moment it happened by the domain's clock (the envelope's time is the publish).
These facts need their contracts before a handler may publish them. A class the facts extend
(`NeedEvent`, `ClaimedWishEvent`…) is the fields they start with, not a fact itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

# Needs (需求清单)


@dataclass(frozen=True)
class NeedEvent:
    need_id: UUID
    community_code: str


@dataclass(frozen=True)
class NeedRecorded(NeedEvent):
    grid_node_code: str
    category: str
    title: str
    affected: str
    affected_count: int
    urgency: str
    source: str
    source_incident_id: UUID | None
    origin_ref: str
    at: datetime


@dataclass(frozen=True)
class NeedMatched(NeedEvent):
    resource_offer_ids: tuple[UUID, ...]
    at: datetime


@dataclass(frozen=True)
class NeedTakenIntoProject(NeedEvent):
    project_id: UUID
    at: datetime


@dataclass(frozen=True)
class NeedMet(NeedEvent):
    note: str
    at: datetime


@dataclass(frozen=True)
class NeedDeclined(NeedEvent):
    reason: str
    at: datetime


# Resources (资源清单)


@dataclass(frozen=True)
class OfferEvent:
    offer_id: UUID
    member_unit_code: str


@dataclass(frozen=True)
class ResourceOffered(OfferEvent):
    community_code: str
    kind: str
    title: str
    quantity: int
    unit: str
    emergency_available: bool
    at: datetime


@dataclass(frozen=True)
class ResourceRefreshed(OfferEvent):
    quantity_left: int
    available_until: datetime | None
    at: datetime


@dataclass(frozen=True)
class ResourceUsed(OfferEvent):
    quantity: int
    quantity_left: int
    purpose: str
    # What it was used for: a project, a need, an incident in an emergency.
    reference_id: UUID | None
    at: datetime


@dataclass(frozen=True)
class EmergencyOffersMade:
    """A wartime escalation: what the community's units marked for emergencies, offered to its
    coordinator for that incident (recorded once, however often the escalation arrives)."""

    incident_id: UUID
    community_code: str
    offer_ids: tuple[UUID, ...]
    at: datetime


@dataclass(frozen=True)
class ResourceWithdrawn(OfferEvent):
    at: datetime


# Joint meetings (联席会议)


@dataclass(frozen=True)
class MeetingEvent:
    meeting_id: UUID
    community_code: str
    quarter: str
    chair_unit_code: str


@dataclass(frozen=True)
class MeetingScheduled(MeetingEvent):
    scheduled_at: datetime
    invited_department_codes: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class MeetingRecorded(MeetingEvent):
    """A step of the record while scheduled: a draft, for the meeting's open pages."""

    step: str
    at: datetime


@dataclass(frozen=True)
class MeetingClosed(MeetingEvent):
    units_present: tuple[str, ...]
    departments_present: tuple[str, ...]
    decisions: int
    at: datetime


@dataclass(frozen=True)
class ProjectDecided:
    meeting_id: UUID
    project_id: UUID
    community_code: str
    title: str
    need_ids: tuple[UUID, ...]
    resource_offer_ids: tuple[UUID, ...]
    slots: int
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class ResponsibilityGiven:
    meeting_id: UUID
    project_id: UUID
    responsibility_id: UUID
    holder_code: str
    task: str
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class NeedDeclinedAtMeeting:
    meeting_id: UUID
    need_id: UUID
    reason: str
    at: datetime


# Projects (项目清单, 责任清单)


@dataclass(frozen=True)
class ProjectEvent:
    project_id: UUID
    community_code: str


@dataclass(frozen=True)
class ProjectCreated(ProjectEvent):
    meeting_id: UUID | None
    title: str
    slots: int
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class ProjectClaimed(ProjectEvent):
    member_unit_code: str
    # More than the practice's two projects a year: allowed, shown to the secretary.
    beyond_practice: bool
    slots_left: int
    at: datetime


@dataclass(frozen=True)
class ResponsibilityEvent:
    project_id: UUID
    responsibility_id: UUID
    holder_code: str


@dataclass(frozen=True)
class ResponsibilityAssigned(ResponsibilityEvent):
    task: str
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class ResponsibilityCompleted(ResponsibilityEvent):
    late: bool
    at: datetime


@dataclass(frozen=True)
class ResponsibilityOverdue(ResponsibilityEvent):
    due_at: datetime
    # Who is told now: "community" (the big committee) at due, "street" a period later.
    rung: str
    at: datetime


@dataclass(frozen=True)
class MilestoneAdded:
    project_id: UUID
    milestone_id: UUID
    title: str
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class ProgressReported:
    project_id: UUID
    reported_by: str
    percent_done: int
    note: str
    at: datetime


@dataclass(frozen=True)
class ProjectFinished(ProjectEvent):
    claimant_codes: tuple[str, ...]
    on_time: bool
    at: datetime


@dataclass(frozen=True)
class ProjectRated:
    project_id: UUID
    rating: int
    mean_rating: float
    ratings: int
    at: datetime


# Micro-wishes (微心愿): 点单 recorded, 派单 published, 接单 claimed, delivered, 销单 fulfilled


@dataclass(frozen=True)
class WishEvent:
    wish_id: UUID
    community_code: str


@dataclass(frozen=True)
class ClaimedWishEvent(WishEvent):
    claimant_kind: str
    claimant_id: str


@dataclass(frozen=True)
class WishRecorded(WishEvent):
    grid_node_code: str
    title: str
    at: datetime


@dataclass(frozen=True)
class WishPublished(WishEvent):
    grid_node_code: str
    title: str
    at: datetime


@dataclass(frozen=True)
class WishClaimed(ClaimedWishEvent):
    at: datetime


@dataclass(frozen=True)
class WishDelivered(ClaimedWishEvent):
    photo_ref: str | None
    at: datetime


@dataclass(frozen=True)
class WishDeliveryReturned(ClaimedWishEvent):
    """The resident says it did not arrive (or not as wished): back to the same claimant."""

    reason: str
    at: datetime


@dataclass(frozen=True)
class WishFulfilled(ClaimedWishEvent):
    """销单: the grid confirmed with the resident. Volunteers credit a party member on this."""

    at: datetime


@dataclass(frozen=True)
class WishWithdrawn(WishEvent):
    reason: str
    at: datetime


# Evaluation (红黑榜, 星级排行榜, 年底考核)


@dataclass(frozen=True)
class RedBlackListPublished:
    community_code: str
    quarter: str
    red: tuple[str, ...]
    black: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class StarRatingsPublished:
    community_code: str
    year: int
    stars: tuple[tuple[str, int], ...]
    at: datetime


# Deliberation (议事): residents' meetings and what their agreed items became. Counts of who came,
# never a household's address or a mediator's name.


@dataclass(frozen=True)
class DeliberationEvent:
    deliberation_id: UUID
    community_code: str


@dataclass(frozen=True)
class DeliberationRecorded(DeliberationEvent):
    kind: str
    level: str
    grid_node_code: str
    topic: str
    held_at: datetime
    incident_ids: tuple[UUID, ...]
    at: datetime


@dataclass(frozen=True)
class DeliberationClosed(DeliberationEvent):
    kind: str
    level: str
    households: int
    member_units: int
    mediators: int
    agreed_items: int
    at: datetime


@dataclass(frozen=True)
class AgreedItemTurned(DeliberationEvent):
    """An agreed item became a need, an incident, or a matter settled locally (which counts in
    the community's rates as a local resolution)."""

    number: int
    text: str
    outcome: str
    need_id: UUID | None
    incident_id: UUID | None
    settlement: str
    at: datetime
