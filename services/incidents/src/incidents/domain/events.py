"""What happens to an incident, as plain facts.

Each travels as the contract `service_layer.published.CONTRACTS` names for it (checked at import:
same fields). The department's steps are named as the glossary says (acknowledge, handle,
report_result); their contracts keep the wire's older words. Newer events carry `at`, the moment
the fact happened by the domain's clock, which the envelope's publish time is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class IncidentReported:
    incident_id: UUID
    community_code: str
    micro_grid_code: str
    category: str
    urgency: str
    description: str
    affected_households: int
    reporter_kind: str | None
    # Masked unless the resident consented to be contacted.
    reporter_contact: str


@dataclass(frozen=True)
class IncidentEscalated:
    incident_id: UUID
    community_code: str
    micro_grid_code: str
    grid_path: list[str]
    category: str
    urgency: str
    wartime: bool
    description: str
    affected_households: int
    department_codes: list[str]


@dataclass(frozen=True)
class AssignmentDispatched:
    assignment_id: UUID
    incident_id: UUID
    department_code: str
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
class IncidentResolved:
    incident_id: UUID
    community_code: str


# Triage and local handling


@dataclass(frozen=True)
class IncidentTriaged:
    incident_id: UUID
    community_code: str
    accepted: bool
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class IncidentResolvedLocally:
    """Settled inside the compound or grid: never whistled, still counted in the rates."""

    incident_id: UUID
    community_code: str
    result: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class ReporterAnonymised:
    incident_id: UUID
    community_code: str
    actor: str
    at: datetime


# A department's assignment


@dataclass(frozen=True)
class DepartmentAcknowledged:
    """The department signed for the whistle (接单)."""

    assignment_id: UUID
    incident_id: UUID
    department_code: str
    note: str
    late: bool
    at: datetime


@dataclass(frozen=True)
class DepartmentReturned:
    """The department sent the whistle back, not signed for (退单)."""

    assignment_id: UUID
    incident_id: UUID
    department_code: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class AssignmentRerouted:
    """The coordinator sent a returned assignment to another department, as a new assignment."""

    assignment_id: UUID
    incident_id: UUID
    community_code: str
    from_department_code: str
    to_department_code: str
    new_assignment_id: UUID
    actor: str
    at: datetime


@dataclass(frozen=True)
class DepartmentStartedHandling:
    """The department is on it (办理)."""

    assignment_id: UUID
    incident_id: UUID
    department_code: str
    note: str
    at: datetime


@dataclass(frozen=True)
class DepartmentReportedResult:
    """The department reported its result (反馈)."""

    assignment_id: UUID
    incident_id: UUID
    department_code: str
    result: str
    late: bool
    at: datetime


@dataclass(frozen=True)
class AssignmentReopened:
    """The resident was not satisfied: the department works on it again, with a new deadline."""

    assignment_id: UUID
    incident_id: UUID
    department_code: str
    reason: str
    resolve_by: datetime
    at: datetime


@dataclass(frozen=True)
class AssignmentCancelled:
    assignment_id: UUID
    incident_id: UUID
    department_code: str
    reason: str
    at: datetime


# Closing the loop


@dataclass(frozen=True)
class IncidentVerified:
    incident_id: UUID
    community_code: str
    note: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class FollowedUp:
    """The resident's word on the return visit (回访)."""

    incident_id: UUID
    community_code: str
    rating: str
    comment: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class IncidentReopened:
    incident_id: UUID
    community_code: str
    reason: str
    # The assignments sent back to work; empty when it had been resolved locally.
    assignment_ids: list[UUID]
    actor: str
    at: datetime


@dataclass(frozen=True)
class IncidentClosed:
    incident_id: UUID
    community_code: str
    rating: str
    # Reports merged into this one share its outcome: their reporters are told too.
    merged_incident_ids: list[UUID]
    at: datetime


@dataclass(frozen=True)
class IncidentCancelled:
    incident_id: UUID
    community_code: str
    reason: str
    actor: str
    at: datetime


# Across reports and communities


@dataclass(frozen=True)
class IncidentShared:
    """Raised to the alliance: these communities' coordinators see it and may take part."""

    incident_id: UUID
    community_code: str
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
class AssignmentOverdue:
    assignment_id: UUID
    incident_id: UUID
    community_code: str
    department_code: str
    kind: str
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class LadderClimbed:
    """A breach reached a rung of the supervision ladder: community, street, district."""

    assignment_id: UUID
    incident_id: UUID
    community_code: str
    department_code: str
    kind: str
    due_at: datetime
    rung: str
    wartime: bool
    at: datetime
