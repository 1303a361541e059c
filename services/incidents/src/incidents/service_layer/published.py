"""Each domain event, and the contract it travels as: written out, and checked at import.

A domain event without a contract, or whose fields are not its contract's, fails here at import
rather than on the first command that causes it. The department's steps keep the wire's older
words in their contracts (`assignment.started` for handle, `assignment.resolved` for
report_result, `feedback_given` for follow_up).
"""

from __future__ import annotations

import dataclasses
import inspect

from incidents.domain import events
from lianxin.contracts import EventData
from lianxin.contracts import incidents as contracts

CONTRACTS: dict[type, type[EventData]] = {
    events.IncidentReported: contracts.IncidentReported,
    events.IncidentEscalated: contracts.IncidentEscalated,
    events.AssignmentDispatched: contracts.AssignmentDispatched,
    events.IncidentResolved: contracts.IncidentResolved,
    events.IncidentTriaged: contracts.IncidentTriaged,
    events.IncidentResolvedLocally: contracts.IncidentResolvedLocally,
    events.ReporterAnonymised: contracts.ReporterAnonymised,
    events.DepartmentAcknowledged: contracts.AssignmentAcknowledged,
    events.DepartmentReturned: contracts.AssignmentReturned,
    events.AssignmentRerouted: contracts.AssignmentRerouted,
    events.DepartmentStartedHandling: contracts.AssignmentStarted,
    events.DepartmentReportedResult: contracts.AssignmentResolved,
    events.AssignmentReopened: contracts.AssignmentReopened,
    events.AssignmentCancelled: contracts.AssignmentCancelled,
    events.IncidentVerified: contracts.IncidentVerified,
    events.FollowedUp: contracts.FeedbackGiven,
    events.IncidentReopened: contracts.IncidentReopened,
    events.IncidentClosed: contracts.IncidentClosed,
    events.IncidentCancelled: contracts.IncidentCancelled,
    events.IncidentShared: contracts.IncidentShared,
    events.IncidentMerged: contracts.IncidentMerged,
    events.AssignmentOverdue: contracts.AssignmentOverdue,
    events.LadderClimbed: contracts.LadderClimbed,
}


def check(mapping: dict[type, type[EventData]]) -> None:
    """Every domain event has a contract with exactly its fields."""
    declared = {
        cls
        for cls in vars(events).values()
        if inspect.isclass(cls)
        and dataclasses.is_dataclass(cls)
        and cls.__module__ == events.__name__
    }
    if missing := sorted(cls.__name__ for cls in declared - mapping.keys()):
        raise TypeError(f"domain events without a contract: {', '.join(missing)}")
    for event, contract in mapping.items():
        ours = {f.name for f in dataclasses.fields(event)}
        theirs = set(contract.model_fields)
        if ours != theirs:
            raise TypeError(
                f"{event.__name__} → {contract.__name__}: fields differ "
                f"(only the event: {sorted(ours - theirs)}, only the contract: "
                f"{sorted(theirs - ours)})"
            )


check(CONTRACTS)


def as_contract(event: object) -> EventData:
    return CONTRACTS[type(event)](**dataclasses.asdict(event))  # type: ignore[arg-type]
