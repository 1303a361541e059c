"""Each domain event, and the contract it travels as: written out, and checked at import.

A domain event is either published (with a contract whose fields include all of its own) or
declared internal below; one that is neither, or whose fields are not its contract's, fails here
at import rather than on the first command that causes it. Contract-only fields (the call-up's
where and whom) are filled by the service layer from its own records (`extra`).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from lianxin.contracts import EventData
from lianxin.contracts import volunteers as contracts
from volunteers.domain import events

CONTRACTS: dict[type, type[EventData]] = {
    events.VolunteerRegistered: contracts.VolunteerRegistered,
    events.ShiftSignedUp: contracts.ShiftSignedUp,
    events.ShiftCancelled: contracts.ShiftCancelled,
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
        events.SquadFormed,
        events.SquadLeaderChanged,
        events.ArrivedOnSite,
    }
)


def check(mapping: dict[type, type[EventData]], internal: frozenset[type]) -> None:
    """Every domain event is published or internal, and a contract carries all its fields;
    a field only the contract has must have a default (the service fills it)."""
    declared = {
        cls
        for cls in vars(events).values()
        if inspect.isclass(cls)
        and dataclasses.is_dataclass(cls)
        and cls.__module__ == events.__name__
    }
    if both := sorted(cls.__name__ for cls in mapping.keys() & internal):
        raise TypeError(f"domain events both published and internal: {', '.join(both)}")
    if missing := sorted(cls.__name__ for cls in declared - mapping.keys() - internal):
        raise TypeError(f"domain events neither published nor internal: {', '.join(missing)}")
    for event, contract in mapping.items():
        ours = {f.name for f in dataclasses.fields(event)}
        theirs = set(contract.model_fields)
        required_only_there = {
            name for name in theirs - ours if contract.model_fields[name].is_required()
        }
        if not ours <= theirs or required_only_there:
            raise TypeError(
                f"{event.__name__} → {contract.__name__}: fields differ "
                f"(only the event: {sorted(ours - theirs)}, required only in the contract: "
                f"{sorted(required_only_there)})"
            )


check(CONTRACTS, INTERNAL)


def is_published(event: object) -> bool:
    return type(event) in CONTRACTS


def as_contract(event: object, **extra: Any) -> EventData:
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}  # type: ignore[arg-type]
    if isinstance(event, events.MobilisationClosed):
        fields["hours"] = [
            {"volunteer_id": v, "hours": h, "source_key": k} for v, h, k in event.hours
        ]
    return CONTRACTS[type(event)](**fields, **extra)
