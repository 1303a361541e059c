"""Each domain event, and the contract it travels as: written out, and checked at import.

A domain event without a contract, or whose fields are not its contract's, fails here at import
rather than on the first command that causes it. Where the wire names differ from the domain's
(an offer is `ResourceOffer` in the domain, `offer.*` on the wire; 销单 is `WishFulfilled` in the
domain and `wish.closed` on the wire, the glossary's word for the grid's step), this table is the
one place that says so.
"""

from __future__ import annotations

from functools import partial

from lianxin.contracts import EventData, published
from lianxin.contracts import resources as contracts
from resources.domain import events

CONTRACTS: dict[type, type[EventData]] = {
    events.NeedRecorded: contracts.NeedRecorded,
    events.NeedMatched: contracts.NeedMatched,
    events.NeedTakenIntoProject: contracts.NeedTakenIntoProject,
    events.NeedMet: contracts.NeedMet,
    events.NeedDeclined: contracts.NeedDeclined,
    events.ResourceOffered: contracts.OfferFiled,
    events.ResourceRefreshed: contracts.OfferRefreshed,
    events.ResourceUsed: contracts.OfferUsed,
    events.ResourceWithdrawn: contracts.OfferWithdrawn,
    events.EmergencyOffersMade: contracts.EmergencyOffersMade,
    events.MeetingScheduled: contracts.MeetingScheduled,
    events.MeetingRecorded: contracts.MeetingRecorded,
    events.MeetingClosed: contracts.MeetingClosed,
    events.ProjectDecided: contracts.ProjectDecided,
    events.ResponsibilityGiven: contracts.ResponsibilityGiven,
    events.NeedDeclinedAtMeeting: contracts.NeedDeclinedAtMeeting,
    events.ProjectCreated: contracts.ProjectCreated,
    events.ProjectClaimed: contracts.ProjectClaimed,
    events.ResponsibilityAssigned: contracts.ResponsibilityAssigned,
    events.ResponsibilityCompleted: contracts.ResponsibilityCompleted,
    events.ResponsibilityOverdue: contracts.ResponsibilityOverdue,
    events.MilestoneAdded: contracts.MilestoneAdded,
    events.ProgressReported: contracts.ProgressReported,
    events.ProjectFinished: contracts.ProjectFinished,
    events.ProjectRated: contracts.ProjectRated,
    events.WishRecorded: contracts.WishRecorded,
    events.WishPublished: contracts.WishPublished,
    events.WishClaimed: contracts.WishClaimed,
    events.WishDelivered: contracts.WishDelivered,
    events.WishDeliveryReturned: contracts.WishDeliveryReturned,
    events.WishFulfilled: contracts.WishClosed,
    events.WishWithdrawn: contracts.WishWithdrawn,
    events.RedBlackListPublished: contracts.RedBlackListPublished,
    events.StarRatingsPublished: contracts.StarRatingsPublished,
    events.DeliberationRecorded: contracts.DeliberationRecorded,
    events.DeliberationClosed: contracts.DeliberationClosed,
    events.AgreedItemTurned: contracts.AgreedItemTurned,
}


check = partial(published.check, events)
check(CONTRACTS)
as_contract = partial(published.as_contract, CONTRACTS)
