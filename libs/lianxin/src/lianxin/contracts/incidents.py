"""Events of the incidents context (stream INCIDENTS) and the whistles it sends (DISPATCH)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData

# Beijing 12345 practice: emergencies 2 h, water/power/gas/heating 24 h, general 7 d, complex 15 d.
Urgency = Literal["emergency", "utilities", "general", "complex"]
ReporterKind = Literal["grid_leader", "party_household", "officer", "resident"]
Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]
DeadlineKind = Literal["acknowledge", "resolve"]
Rung = Literal["community", "street", "district_supervision"]


class IncidentEvent(EventData):
    """What every event about one incident starts with: which incident, in which community."""

    AGGREGATE_ID: ClassVar[str] = "incident_id"

    incident_id: UUID
    community_code: str


class AssignmentEvent(EventData):
    """What every event about one department's assignment starts with."""

    AGGREGATE_ID: ClassVar[str] = "assignment_id"

    assignment_id: UUID
    incident_id: UUID


class DepartmentEvent(AssignmentEvent):
    """An assignment event addressed to (or about a step of) its department."""

    department_code: str


class DeadlineBreach(AssignmentEvent):
    """A deadline of the assignment passed unmet."""

    community_code: str
    department_code: str
    kind: DeadlineKind
    due_at: datetime


class IncidentReported(IncidentEvent):
    SUBJECT: ClassVar[str] = "incidents.incident.reported"

    micro_grid_code: str
    category: str
    urgency: Urgency
    description: str
    affected_households: int = Field(ge=0)
    reporter_kind: ReporterKind | None = None
    # Masked ("138****5678") unless the resident consented to be contacted.
    reporter_contact: str = ""
    # Where in the micro-grid, when the reporter said: the building and unit as the grid tree
    # names them ("5栋", "2单元"), and a map pin (WGS-84) where the console has a map.
    building: str = ""
    unit: str = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class IncidentEscalated(IncidentEvent):
    """The whistle blew: what resources (a community need) and volunteers (wartime) act on."""

    SUBJECT: ClassVar[str] = "incidents.incident.escalated"

    micro_grid_code: str
    # The micro-grid's ancestors from the community root down, so a grid can be mobilised.
    grid_path: list[str]
    category: str
    urgency: Urgency
    wartime: bool
    description: str
    affected_households: int = Field(ge=0)
    department_codes: list[str] = Field(min_length=1)


class IncidentResolved(IncidentEvent):
    SUBJECT: ClassVar[str] = "incidents.incident.resolved"


class AssignmentDispatched(DepartmentEvent):
    """The whistle as one department receives it, on `dispatch.<department_code>.…`."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.dispatched.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.assignment_dispatched"

    lead: bool
    community_code: str
    micro_grid_code: str
    category: str
    urgency: Urgency
    description: str
    affected_households: int = Field(ge=0)
    dispatched_at: datetime
    # The service level's promises: sign for it by `acknowledge_by`, resolve it by `resolve_by`.
    acknowledge_by: datetime
    resolve_by: datetime


class IncidentTriaged(IncidentEvent):
    """Accepted for handling, or rejected with a reason."""

    SUBJECT: ClassVar[str] = "incidents.incident.triaged"

    accepted: bool
    reason: str
    actor: str
    at: datetime


class IncidentResolvedLocally(IncidentEvent):
    """Settled inside the compound (小事不出小区): never whistled, still counted."""

    SUBJECT: ClassVar[str] = "incidents.incident.resolved_locally"

    result: str
    actor: str
    at: datetime


class ReporterAnonymised(IncidentEvent):
    """The reporter's name and contact are forgotten."""

    SUBJECT: ClassVar[str] = "incidents.incident.reporter_anonymised"

    actor: str
    at: datetime


class IncidentVerified(IncidentEvent):
    """The grid checked the result on the spot."""

    SUBJECT: ClassVar[str] = "incidents.incident.verified"

    note: str
    actor: str
    at: datetime


class FeedbackGiven(IncidentEvent):
    """The resident's rating (回访)."""

    SUBJECT: ClassVar[str] = "incidents.incident.feedback_given"

    rating: Rating
    comment: str
    actor: str
    at: datetime


class IncidentReopened(IncidentEvent):
    """The resident was not satisfied: back to the departments (or the grid)."""

    SUBJECT: ClassVar[str] = "incidents.incident.reopened"

    reason: str
    assignment_ids: list[UUID]
    actor: str
    at: datetime


class IncidentClosed(IncidentEvent):
    """Closed by a satisfied resident; merged reports share the outcome."""

    SUBJECT: ClassVar[str] = "incidents.incident.closed"

    rating: Rating
    merged_incident_ids: list[UUID]
    at: datetime


class IncidentCancelled(IncidentEvent):
    SUBJECT: ClassVar[str] = "incidents.incident.cancelled"

    reason: str
    actor: str
    at: datetime


class IncidentShared(IncidentEvent):
    """Raised to the alliance: these communities see it and may take part."""

    SUBJECT: ClassVar[str] = "incidents.incident.shared"

    shared_with: list[str]
    added: list[str]
    reason: str
    actor: str
    at: datetime


class IncidentMerged(EventData):
    """A duplicate report joined this incident; the totals are the new ones."""

    SUBJECT: ClassVar[str] = "incidents.incident.merged"
    AGGREGATE_ID: ClassVar[str] = "incident_id"

    incident_id: UUID
    duplicate_id: UUID
    community_code: str
    affected_households: int = Field(ge=0)
    affected_merchants: int = Field(ge=0)
    actor: str
    at: datetime


class AssignmentAcknowledged(DepartmentEvent):
    """The platform recorded that the department signed for its whistle."""

    SUBJECT: ClassVar[str] = "incidents.assignment.acknowledged"

    note: str
    late: bool
    at: datetime


class AssignmentReturned(DepartmentEvent):
    """The department sent the whistle back, not signed for, with a reason."""

    SUBJECT: ClassVar[str] = "incidents.assignment.returned"

    reason: str
    at: datetime


class AssignmentRerouted(AssignmentEvent):
    """A returned assignment went to another department, as a new assignment."""

    SUBJECT: ClassVar[str] = "incidents.assignment.rerouted"

    community_code: str
    from_department_code: str
    to_department_code: str
    new_assignment_id: UUID
    actor: str
    at: datetime


class AssignmentStarted(DepartmentEvent):
    SUBJECT: ClassVar[str] = "incidents.assignment.started"

    note: str
    at: datetime


class AssignmentResolved(DepartmentEvent):
    """The platform recorded the department's result."""

    SUBJECT: ClassVar[str] = "incidents.assignment.resolved"

    result: str
    late: bool
    at: datetime


class AssignmentReopened(DepartmentEvent):
    """The resident was not satisfied: the department works on it again."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.reopened.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.assignment_reopened"

    reason: str
    resolve_by: datetime
    at: datetime


class AssignmentCancelled(DepartmentEvent):
    """The incident was cancelled: the department may stop."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.cancelled.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.assignment_cancelled"

    reason: str
    at: datetime


class AssignmentOverdue(DeadlineBreach):
    """A deadline passed unmet: overdue, the community's supervision is told."""

    SUBJECT: ClassVar[str] = "incidents.assignment.overdue"

    at: datetime


class LadderClimbed(DeadlineBreach):
    """A breach reached a rung of the supervision ladder."""

    SUBJECT: ClassVar[str] = "incidents.assignment.ladder_climbed"

    rung: Rung
    wartime: bool
    at: datetime


class AssignmentReassigned(DepartmentEvent):
    """The coordinator gave the assignment to another department (改派): stop working on it."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.reassigned.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.assignment_reassigned"

    to_department_code: str
    new_assignment_id: UUID
    reason: str
    actor: str
    at: datetime


class AssignmentWithdrawn(DepartmentEvent):
    """The coordinator withdrew the department's part (撤回): stop working on it."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.withdrawn.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.assignment_withdrawn"

    reason: str
    actor: str
    at: datetime


class AssignmentUrged(DepartmentEvent):
    """The coordinator urges the department on its assignment (催办)."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.urged.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.assignment_urged"

    note: str
    # The deadline the department is held to (null for assignments from before deadlines).
    resolve_by: datetime | None
    actor: str
    at: datetime


class ExtensionRequested(DepartmentEvent):
    """The department asked for more time (延期申请); the coordinator decides."""

    SUBJECT: ClassVar[str] = "incidents.assignment.extension_requested"

    reason: str
    resolve_by: datetime
    current_resolve_by: datetime | None
    at: datetime


class ExtensionGranted(DepartmentEvent):
    """More time given: `resolve_by` is the assignment's deadline from now on."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.extension_granted.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.extension_granted"

    resolve_by: datetime
    note: str
    actor: str
    at: datetime


class ExtensionRefused(DepartmentEvent):
    """More time refused, with the reason: `resolve_by` stays the deadline."""

    TYPE: ClassVar[str] = "cn.lianxin.incidents.assignment.extension_refused.v1"
    SUBJECT: ClassVar[str] = "dispatch.{department_code}.extension_refused"

    resolve_by: datetime | None
    note: str
    actor: str
    at: datetime
