"""Events of the resources context (stream RESOURCES): the five lists, joint meetings, projects,
micro-wishes, evaluation, emergency offers and residents' deliberation.

Each payload has exactly the fields of its domain event in `resources.domain.events` (the
service checks that at import) and `at`, when it happened by the domain's clock. Personal data
never travels: a wish names its claimant (kind and id, so volunteers can credit a party member),
never the resident's name or contact.
"""

from lianxin.contracts.resources.deliberations import (
    AgreedItemTurned,
    DeliberationClosed,
    DeliberationRecorded,
)
from lianxin.contracts.resources.evaluation import RedBlackListPublished, StarRatingsPublished
from lianxin.contracts.resources.meetings import (
    MeetingClosed,
    MeetingRecorded,
    MeetingScheduled,
    NeedDeclinedAtMeeting,
    ProjectDecided,
    ResponsibilityGiven,
)
from lianxin.contracts.resources.needs import (
    NeedDeclined,
    NeedMatched,
    NeedMet,
    NeedOpened,
    NeedRecorded,
    NeedTakenIntoProject,
)
from lianxin.contracts.resources.offers import (
    EmergencyOffersMade,
    OfferFiled,
    OfferRefreshed,
    OfferUsed,
    OfferWithdrawn,
)
from lianxin.contracts.resources.projects import (
    MilestoneAdded,
    ProgressReported,
    ProjectClaimed,
    ProjectCreated,
    ProjectFinished,
    ProjectRated,
    ResponsibilityAssigned,
    ResponsibilityCompleted,
    ResponsibilityOverdue,
)
from lianxin.contracts.resources.wishes import (
    ClaimantKind,
    WishClaimed,
    WishClosed,
    WishDelivered,
    WishDeliveryReturned,
    WishPublished,
    WishRecorded,
    WishWithdrawn,
)

__all__ = [
    "AgreedItemTurned",
    "ClaimantKind",
    "DeliberationClosed",
    "DeliberationRecorded",
    "EmergencyOffersMade",
    "MeetingClosed",
    "MeetingRecorded",
    "MeetingScheduled",
    "MilestoneAdded",
    "NeedDeclined",
    "NeedDeclinedAtMeeting",
    "NeedMatched",
    "NeedMet",
    "NeedOpened",
    "NeedRecorded",
    "NeedTakenIntoProject",
    "OfferFiled",
    "OfferRefreshed",
    "OfferUsed",
    "OfferWithdrawn",
    "ProgressReported",
    "ProjectClaimed",
    "ProjectCreated",
    "ProjectDecided",
    "ProjectFinished",
    "ProjectRated",
    "RedBlackListPublished",
    "ResponsibilityAssigned",
    "ResponsibilityCompleted",
    "ResponsibilityGiven",
    "ResponsibilityOverdue",
    "StarRatingsPublished",
    "WishClaimed",
    "WishClosed",
    "WishDelivered",
    "WishDeliveryReturned",
    "WishPublished",
    "WishRecorded",
    "WishWithdrawn",
]
