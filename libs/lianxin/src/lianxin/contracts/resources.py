"""Events of the resources context (stream RESOURCES): the five lists, joint meetings, projects,
micro-wishes, evaluation and emergency offers.

Each payload has exactly the fields of its domain event in `resources.domain.events` (the
service checks that at import) and `at`, when it happened by the domain's clock. Personal data
never travels: a wish names its claimant (kind and id, so volunteers can credit a party member),
never the resident's name or contact.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData

ClaimantKind = Literal["member_unit", "party_member"]

# Needs (需求清单)


class NeedOpened(EventData):
    """Deprecated: replaced by `NeedRecorded` (resources.need.recorded). Published for every
    escalation until resources stopped opening needs automatically; no longer published, kept so
    that old readers' schema stays documented."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.need.opened.v1"
    SUBJECT: ClassVar[str] = "resources.need.opened"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    title: str
    source_incident_id: UUID | None = None


class NeedRecorded(EventData):
    """A need joined the community's needs list (from a grid, or from an incident by decision)."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.need.recorded.v1"
    SUBJECT: ClassVar[str] = "resources.need.recorded"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    grid_node_code: str
    category: str
    title: str
    affected: str
    affected_count: int = Field(ge=1)
    urgency: Literal["high", "normal", "low"]
    source: Literal["resident", "merchant", "unit", "incident"]
    source_incident_id: UUID | None = None
    origin_ref: str = ""
    at: datetime


class NeedMatched(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.need.matched.v1"
    SUBJECT: ClassVar[str] = "resources.need.matched"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    resource_offer_ids: list[UUID]
    at: datetime


class NeedTakenIntoProject(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.need.taken_into_project.v1"
    SUBJECT: ClassVar[str] = "resources.need.taken_into_project"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    project_id: UUID
    at: datetime


class NeedMet(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.need.met.v1"
    SUBJECT: ClassVar[str] = "resources.need.met"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    note: str
    at: datetime


class NeedDeclined(EventData):
    """Declined with its reason, so the residents get an answer."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.need.declined.v1"
    SUBJECT: ClassVar[str] = "resources.need.declined"
    AGGREGATE_ID: ClassVar[str] = "need_id"

    need_id: UUID
    community_code: str
    reason: str
    at: datetime


# Resources (资源清单): a member unit's offers


class OfferFiled(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.offer.filed.v1"
    SUBJECT: ClassVar[str] = "resources.offer.filed"
    AGGREGATE_ID: ClassVar[str] = "offer_id"

    offer_id: UUID
    member_unit_code: str
    community_code: str
    kind: Literal["venue", "funds", "expertise", "people", "goods", "vehicle"]
    title: str
    quantity: int = Field(ge=1)
    unit: str
    emergency_available: bool
    at: datetime


class OfferRefreshed(EventData):
    """The half-yearly look at an offer: what is left and until when."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.offer.refreshed.v1"
    SUBJECT: ClassVar[str] = "resources.offer.refreshed"
    AGGREGATE_ID: ClassVar[str] = "offer_id"

    offer_id: UUID
    member_unit_code: str
    quantity_left: int = Field(ge=0)
    available_until: datetime | None = None
    at: datetime


class OfferUsed(EventData):
    """Some of an offer went to a project, a need or, in an emergency, an incident
    (`reference_id`)."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.offer.used.v1"
    SUBJECT: ClassVar[str] = "resources.offer.used"
    AGGREGATE_ID: ClassVar[str] = "offer_id"

    offer_id: UUID
    member_unit_code: str
    quantity: int = Field(ge=1)
    quantity_left: int = Field(ge=0)
    purpose: str
    reference_id: UUID | None = None
    at: datetime


class OfferWithdrawn(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.offer.withdrawn.v1"
    SUBJECT: ClassVar[str] = "resources.offer.withdrawn"
    AGGREGATE_ID: ClassVar[str] = "offer_id"

    offer_id: UUID
    member_unit_code: str
    at: datetime


class EmergencyOffersMade(EventData):
    """A wartime escalation: the member units' emergency offers put before the coordinator."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.emergency.offers_made.v1"
    SUBJECT: ClassVar[str] = "resources.emergency.offers_made"
    AGGREGATE_ID: ClassVar[str] = "incident_id"

    incident_id: UUID
    community_code: str
    offer_ids: list[UUID]
    at: datetime


# Joint meetings (联席会议): the decisions go out when the meeting closes, before MeetingClosed


class MeetingScheduled(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.meeting.scheduled.v1"
    SUBJECT: ClassVar[str] = "resources.meeting.scheduled"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    community_code: str
    quarter: str
    chair_unit_code: str
    scheduled_at: datetime
    invited_department_codes: list[str]
    at: datetime


class ProjectDecided(EventData):
    """A decision of a closed meeting: a project created."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.meeting.project_decided.v1"
    SUBJECT: ClassVar[str] = "resources.meeting.project_decided"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    project_id: UUID
    community_code: str
    title: str
    need_ids: list[UUID]
    resource_offer_ids: list[UUID]
    slots: int = Field(ge=1)
    due_at: datetime
    at: datetime


class ResponsibilityGiven(EventData):
    """A decision of a closed meeting: who does what by when on a project."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.meeting.responsibility_given.v1"
    SUBJECT: ClassVar[str] = "resources.meeting.responsibility_given"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    project_id: UUID
    responsibility_id: UUID
    holder_code: str
    task: str
    due_at: datetime
    at: datetime


class NeedDeclinedAtMeeting(EventData):
    """A decision of a closed meeting: a need declined, with its reason."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.meeting.need_declined.v1"
    SUBJECT: ClassVar[str] = "resources.meeting.need_declined"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    need_id: UUID
    reason: str
    at: datetime


class MeetingClosed(EventData):
    """The meeting's record is final; `decisions` counts the decision events sent before it."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.meeting.closed.v1"
    SUBJECT: ClassVar[str] = "resources.meeting.closed"
    AGGREGATE_ID: ClassVar[str] = "meeting_id"

    meeting_id: UUID
    community_code: str
    quarter: str
    chair_unit_code: str
    units_present: list[str]
    departments_present: list[str]
    decisions: int = Field(ge=0)
    at: datetime


# Projects (项目清单) and responsibilities (责任清单)


class ProjectCreated(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.project.created.v1"
    SUBJECT: ClassVar[str] = "resources.project.created"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    community_code: str
    meeting_id: UUID | None = None
    title: str
    slots: int = Field(ge=1)
    due_at: datetime
    at: datetime


class ProjectClaimed(EventData):
    """A member unit claimed a slot; `beyond_practice`: its third or later claim this year."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.project.claimed.v1"
    SUBJECT: ClassVar[str] = "resources.project.claimed"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    community_code: str
    member_unit_code: str
    beyond_practice: bool
    slots_left: int = Field(ge=0)
    at: datetime


class ResponsibilityAssigned(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.project.responsibility_assigned.v1"
    SUBJECT: ClassVar[str] = "resources.project.responsibility_assigned"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    responsibility_id: UUID
    holder_code: str
    task: str
    due_at: datetime
    at: datetime


class ResponsibilityCompleted(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.project.responsibility_completed.v1"
    SUBJECT: ClassVar[str] = "resources.project.responsibility_completed"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    responsibility_id: UUID
    holder_code: str
    late: bool
    at: datetime


class ResponsibilityOverdue(EventData):
    """A rung of the overdue ladder: `community` at due, `street` a period later."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.responsibility.overdue.v1"
    SUBJECT: ClassVar[str] = "resources.responsibility.overdue"
    AGGREGATE_ID: ClassVar[str] = "responsibility_id"

    project_id: UUID
    responsibility_id: UUID
    holder_code: str
    due_at: datetime
    rung: Literal["community", "street"]
    at: datetime


class MilestoneAdded(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.project.milestone_added.v1"
    SUBJECT: ClassVar[str] = "resources.project.milestone_added"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    milestone_id: UUID
    title: str
    due_at: datetime
    at: datetime


class ProgressReported(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.project.progress_reported.v1"
    SUBJECT: ClassVar[str] = "resources.project.progress_reported"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    reported_by: str
    percent_done: int = Field(ge=0, le=100)
    note: str
    at: datetime


class ProjectFinished(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.project.finished.v1"
    SUBJECT: ClassVar[str] = "resources.project.finished"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    community_code: str
    claimant_codes: list[str]
    on_time: bool
    at: datetime


class ProjectRated(EventData):
    """A household's rating of a finished project, 1 to 5, and the mean so far."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.project.rated.v1"
    SUBJECT: ClassVar[str] = "resources.project.rated"
    AGGREGATE_ID: ClassVar[str] = "project_id"

    project_id: UUID
    rating: int = Field(ge=1, le=5)
    mean_rating: float
    ratings: int = Field(ge=1)
    at: datetime


# Micro-wishes (微心愿): 点单 recorded, 派单 published, 接单 claimed, delivered, 销单 closed


class WishRecorded(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.recorded.v1"
    SUBJECT: ClassVar[str] = "resources.wish.recorded"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    grid_node_code: str
    title: str
    at: datetime


class WishPublished(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.published.v1"
    SUBJECT: ClassVar[str] = "resources.wish.published"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    grid_node_code: str
    title: str
    at: datetime


class WishClaimed(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.claimed.v1"
    SUBJECT: ClassVar[str] = "resources.wish.claimed"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    claimant_kind: ClaimantKind
    claimant_id: str
    at: datetime


class WishDelivered(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.delivered.v1"
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

    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.delivery_returned.v1"
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

    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.closed.v1"
    SUBJECT: ClassVar[str] = "resources.wish.closed"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    claimant_kind: ClaimantKind
    claimant_id: str
    at: datetime


class WishWithdrawn(EventData):
    TYPE: ClassVar[str] = "cn.lianxin.resources.wish.withdrawn.v1"
    SUBJECT: ClassVar[str] = "resources.wish.withdrawn"
    AGGREGATE_ID: ClassVar[str] = "wish_id"

    wish_id: UUID
    community_code: str
    reason: str
    at: datetime


# Evaluation (红黑榜, 星级)


class RedBlackListPublished(EventData):
    """A quarter's red list (best scorecards) and black list (lowest) of member units."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.scorecard.red_black_list_published.v1"
    SUBJECT: ClassVar[str] = "resources.scorecard.red_black_list_published"
    AGGREGATE_ID: ClassVar[str] = "community_code"

    community_code: str
    quarter: str
    red: list[str]
    black: list[str]
    at: datetime


class StarRatingsPublished(EventData):
    """The year-end review: each member unit's stars (1–5), most stars first."""

    TYPE: ClassVar[str] = "cn.lianxin.resources.scorecard.stars_published.v1"
    SUBJECT: ClassVar[str] = "resources.scorecard.stars_published"
    AGGREGATE_ID: ClassVar[str] = "community_code"

    community_code: str
    year: int
    stars: list[tuple[str, int]]
    at: datetime
