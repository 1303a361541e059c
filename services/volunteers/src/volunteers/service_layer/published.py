"""Each domain event, and the contract it travels as: written out, and checked at import.

A domain event is either published (with a contract whose fields include all of its own) or
declared internal below; one that is neither, or whose fields are not its contract's, fails here
at import rather than on the first command that causes it. Contract-only fields (the call-up's
where and whom) are filled by the service layer from its own records (`extra`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from lianxin.contracts import EventData, published
from lianxin.contracts import volunteers as contracts
from volunteers.domain import events

CONTRACTS: dict[type, type[EventData]] = {
    events.VolunteerRegistered: contracts.VolunteerRegistered,
    events.ShiftSignedUp: contracts.ShiftSignedUp,
    events.ShiftCancelled: contracts.ShiftCancelled,
    events.ShiftCalledOff: contracts.ShiftCalledOff,
    events.CheckedIn: contracts.CheckedIn,
    events.CheckedOut: contracts.CheckedOut,
    events.PointsTransferred: contracts.PointsTransferred,
    events.ItemRedeemed: contracts.ItemRedeemed,
    events.RedemptionCancelled: contracts.RedemptionCancelled,
    events.ServiceRecordReported: contracts.ServiceRecordReported,
    events.MobilisationStarted: contracts.MobilisationStarted,
    events.MobilisationCalled: contracts.MobilisationCalled,
    events.CallUpAnswered: contracts.CallUpAnswered,
    events.MobilisationClosed: contracts.MobilisationClosed,
}

# Facts only this service reads (its own views and the console through its API): no contract
# until another service needs one, so the wire carries nothing nobody consumes.
INTERNAL: frozenset[type] = frozenset(
    {
        events.VolunteerUpdated,
        events.TeamFormed,
        events.TeamJoined,
        events.TeamLeft,
        events.ActivityPlanned,
        events.ShiftScheduled,
        events.NoShowMarked,
        events.ItemStocked,
        events.ItemRetired,
        events.SquadFormed,
        events.SquadLeaderChanged,
        events.ArrivedOnSite,
    }
)


check = partial(published.check, events)
check(CONTRACTS, INTERNAL)


def is_published(event: object) -> bool:
    return type(event) in CONTRACTS


def as_contract(event: object, **extra: Any) -> EventData:
    if isinstance(event, events.MobilisationClosed):
        extra["hours"] = [
            {"volunteer_id": v, "hours": h, "source_key": k} for v, h, k in event.hours
        ]
    return published.as_contract(CONTRACTS, event, **extra)
