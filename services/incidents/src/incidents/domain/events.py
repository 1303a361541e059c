"""What happens to an incident, as plain facts.

Each travels as the contract `service_layer.published.CONTRACTS` names for it (checked at import:
same fields). The department's steps are named as the glossary says (acknowledge, handle,
report_result); their contracts keep the wire's older words. Newer events carry `at`, the moment
the fact happened by the domain's clock, which the envelope's publish time is not. A class the
events extend (`IncidentEvent`, `DepartmentEvent`…) is the fields they start with, not an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class IncidentEvent:
    incident_id: UUID
    community_code: str


@dataclass(frozen=True)
class AssignmentEvent:
    assignment_id: UUID
    incident_id: UUID


@dataclass(frozen=True)
class DepartmentEvent(AssignmentEvent):
    department_code: str


@dataclass(frozen=True)
class DeadlineBreach(AssignmentEvent):
    community_code: str
    department_code: str
    kind: str
    due_at: datetime


@dataclass(frozen=True)
class IncidentReported(IncidentEvent):
    micro_grid_code: str
    category: str
    urgency: str
    description: str
    affected_households: int
    reporter_kind: str | None
    # Masked unless the resident consented to be contacted.
    reporter_contact: str
    # Where in the micro-grid: building and unit names ("" if not given), the map pin (or None).
    building: str = ""
    unit: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class IncidentEscalated(IncidentEvent):
    micro_grid_code: str
    grid_path: list[str]
    category: str
    urgency: str
    wartime: bool
    description: str
    affected_households: int
    department_codes: list[str]


@dataclass(frozen=True)
class AssignmentDispatched(DepartmentEvent):
    lead: bool
    community_code: str
    micro_grid_code: str
    category: str
    urgency: str
    description: str
    affected_households: int
    dispatched_at: datetime
    # The service level's promises, so the department (and the timer rows) know them.
    acknowledge_by: datetime
    resolve_by: datetime


@dataclass(frozen=True)
class IncidentResolved(IncidentEvent):
    """Every required assignment reported its result: the grid verifies it next."""


# Triage and local handling


@dataclass(frozen=True)
class IncidentTriaged(IncidentEvent):
    accepted: bool
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class IncidentResolvedLocally(IncidentEvent):
    """Settled inside the compound or grid: never whistled, still counted in the rates."""

    result: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class ReporterAnonymised(IncidentEvent):
    actor: str
    at: datetime


# A department's assignment


@dataclass(frozen=True)
class DepartmentAcknowledged(DepartmentEvent):
    """The department signed for the whistle (接单)."""

    note: str
    late: bool
    at: datetime


@dataclass(frozen=True)
class DepartmentReturned(DepartmentEvent):
    """The department sent the whistle back, not signed for (退单)."""

    reason: str
    at: datetime


@dataclass(frozen=True)
class AssignmentRerouted(AssignmentEvent):
    """The coordinator sent a returned assignment to another department, as a new assignment."""

    community_code: str
    from_department_code: str
    to_department_code: str
    new_assignment_id: UUID
    actor: str
    at: datetime


@dataclass(frozen=True)
class DepartmentStartedHandling(DepartmentEvent):
    """The department is on it (办理)."""

    note: str
    at: datetime


@dataclass(frozen=True)
class DepartmentReportedResult(DepartmentEvent):
    """The department reported its result (反馈)."""

    result: str
    late: bool
    at: datetime


@dataclass(frozen=True)
class AssignmentReopened(DepartmentEvent):
    """The resident was not satisfied: the department works on it again, with a new deadline."""

    reason: str
    resolve_by: datetime
    at: datetime


@dataclass(frozen=True)
class AssignmentCancelled(DepartmentEvent):
    reason: str
    at: datetime


# The coordinator's steps on one department's part, and the department's request for time


@dataclass(frozen=True)
class AssignmentReassigned(DepartmentEvent):
    """The coordinator took the assignment from this department and gave it to another (改派):
    this department stops; the other receives a new assignment."""

    to_department_code: str
    new_assignment_id: UUID
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class AssignmentWithdrawn(DepartmentEvent):
    """The coordinator withdrew this department's part (撤回); the incident goes on."""

    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class AssignmentUrged(DepartmentEvent):
    """The coordinator urges the department (催办): the deadline it is held to comes along."""

    note: str
    resolve_by: datetime | None
    actor: str
    at: datetime


@dataclass(frozen=True)
class ExtensionRequested(DepartmentEvent):
    """The department asks for more time (延期申请): until `resolve_by`, and why."""

    reason: str
    resolve_by: datetime
    current_resolve_by: datetime | None
    at: datetime


@dataclass(frozen=True)
class ExtensionGranted(DepartmentEvent):
    """The coordinator agreed: `resolve_by` is the department's deadline now."""

    resolve_by: datetime
    note: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class ExtensionRefused(DepartmentEvent):
    """The coordinator did not agree: `resolve_by` stays the deadline."""

    resolve_by: datetime | None
    note: str
    actor: str
    at: datetime


# Closing the loop


@dataclass(frozen=True)
class IncidentVerified(IncidentEvent):
    note: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class FollowedUp(IncidentEvent):
    """The resident's word on the return visit (回访)."""

    rating: str
    comment: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class IncidentReopened(IncidentEvent):
    reason: str
    # The assignments sent back to work; empty when it had been resolved locally.
    assignment_ids: list[UUID]
    actor: str
    at: datetime


@dataclass(frozen=True)
class IncidentClosed(IncidentEvent):
    rating: str
    # Reports merged into this one share its outcome: their reporters are told too.
    merged_incident_ids: list[UUID]
    at: datetime


@dataclass(frozen=True)
class IncidentCancelled(IncidentEvent):
    reason: str
    actor: str
    at: datetime


# Across reports and communities


@dataclass(frozen=True)
class IncidentShared(IncidentEvent):
    """Raised to the alliance: these communities' coordinators see it and may take part."""

    shared_with: list[str]
    added: list[str]
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class IncidentMerged:
    """`duplicate_id` is now part of `incident_id`; the totals are the primary's new ones."""

    incident_id: UUID
    duplicate_id: UUID
    community_code: str
    affected_households: int
    affected_merchants: int
    actor: str
    at: datetime


# Time limits


@dataclass(frozen=True)
class AssignmentOverdue(DeadlineBreach):
    at: datetime


@dataclass(frozen=True)
class LadderClimbed(DeadlineBreach):
    """A breach reached a rung of the supervision ladder: community, street, district."""

    rung: str
    wartime: bool
    at: datetime
