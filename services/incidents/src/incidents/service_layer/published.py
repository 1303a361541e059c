"""Each domain event, and the contract it travels as: written out, and checked at import.

A domain event without a contract, or whose fields are not its contract's, fails here at import
rather than on the first command that causes it. The department's steps keep the wire's older
words in their contracts (`assignment.started` for handle, `assignment.resolved` for
report_result, `feedback_given` for follow_up).
"""

from __future__ import annotations

from functools import partial

from incidents.domain import events
from lianxin.contracts import EventData, published
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
    events.AssignmentReassigned: contracts.AssignmentReassigned,
    events.AssignmentWithdrawn: contracts.AssignmentWithdrawn,
    events.AssignmentUrged: contracts.AssignmentUrged,
    events.ExtensionRequested: contracts.ExtensionRequested,
    events.ExtensionGranted: contracts.ExtensionGranted,
    events.ExtensionRefused: contracts.ExtensionRefused,
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


check = partial(published.check, events)
check(CONTRACTS)
as_contract = partial(published.as_contract, CONTRACTS)
