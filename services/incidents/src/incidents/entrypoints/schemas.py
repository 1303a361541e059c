"""What the incidents API answers with: an incident as the caller may see it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from incidents.domain.assignments import Assignment
from incidents.domain.incident import Incident
from lianxin.auth import Principal, Role

# Who calls a resident back in the grid: the incident's grid leader and its community's
# coordinators (out() is only asked for incidents the caller may see).
CALL_BACK = (Role.GRID_LEADER, Role.COMMUNITY_COORDINATOR)


class BreachOut(BaseModel):
    kind: str
    due_at: datetime
    rung: str
    at: datetime


class ExtensionOut(BaseModel):
    requested_at: datetime
    reason: str
    resolve_by: datetime
    previous_resolve_by: datetime | None
    status: str
    decided_by: str
    decided_at: datetime | None
    note: str


class AssignmentOut(BaseModel):
    id: UUID
    department_code: str
    lead: bool
    status: str
    dispatched_at: datetime
    acknowledge_by: datetime | None
    resolve_by: datetime | None
    acknowledged_at: datetime | None
    started_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    return_reason: str
    rerouted_to: UUID | None
    result: str
    overdue: bool
    breaches: list[BreachOut]
    # Requests for more time, oldest first; how many were granted (the rates show it too).
    extensions: list[ExtensionOut] = []
    extensions_granted: int = 0


class TimelineOut(BaseModel):
    at: datetime
    action: str
    actor: str
    detail: str


class FeedbackOut(BaseModel):
    rating: str
    comment: str
    actor: str
    at: datetime


class IncidentOut(BaseModel):
    id: UUID
    ticket_no: str = Field("", description="the readable ticket number (工单号): TPJ-20261129-0007")
    community_code: str
    micro_grid_code: str
    grid_path: list[str]
    category: str
    urgency: str
    wartime: bool
    description: str
    affected_households: int
    affected_merchants: int
    photos: list[str]
    reporter: str
    reporter_kind: str | None
    reporter_contact: str
    contact_consent: bool
    status: str
    status_reason: str
    reported_at: datetime
    resolved_locally: bool
    local_result: str
    resolved_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    shared_with: list[str]
    merged_into: UUID | None
    merged_ids: list[UUID]
    overdue: bool
    trace_id: str | None
    assignments: list[AssignmentOut] = []
    timeline: list[TimelineOut] = []
    feedback: list[FeedbackOut] = []
    # Where in the micro-grid (domain.location).
    building: str = ""
    unit: str = ""
    latitude: float | None = None
    longitude: float | None = None


def out(incident: Incident, principal: Principal, now: datetime) -> IncidentOut:
    """The incident for this caller: a department sees the reporter only as far as the resident
    consented, and no other department's assignments."""
    department = principal.role is Role.DEPARTMENT_OPERATOR
    assignments = [
        a
        for a in incident.assignments
        if not department or principal.is_department(a.department_code)
    ]
    # The schema picks what is answered from the incident's own attributes (`vars`); written
    # out below is only what differs from them: masking, enum values, what is worked out.
    return IncidentOut.model_validate(
        {
            **vars(incident),
            "reporter": "" if department and not incident.contact_consent else incident.reporter,
            "reporter_kind": incident.reporter_kind.value if incident.reporter_kind else None,
            # A department with consent works the case and may call too (DESIGN: masked in
            # department views unless the resident consented).
            "reporter_contact": incident.contact_for(department or principal.role in CALL_BACK),
            "status": incident.status.value,
            "shared_with": sorted(incident.shared_with),
            "wartime": incident.wartime,
            "trace_id": incident.trace_id,
            "overdue": any(_overdue(a, now) for a in assignments),
            "assignments": [_assignment(a, now) for a in assignments],
            "timeline": [TimelineOut(**vars(t)) for t in incident.timeline],
            "feedback": [
                FeedbackOut(**{**vars(f), "rating": f.rating.value}) for f in incident.feedback
            ],
        }
    )


def _assignment(a: Assignment, now: datetime) -> AssignmentOut:
    return AssignmentOut.model_validate(
        {
            **vars(a),
            "status": a.status.value,
            "overdue": _overdue(a, now),
            "breaches": [
                BreachOut(kind=b.kind.value, due_at=b.due_at, rung=b.rung.label, at=b.at)
                for b in a.breaches
            ],
            "extensions": [
                ExtensionOut(**{**vars(e), "status": e.status.value}) for e in a.extensions
            ],
            "extensions_granted": a.extensions_granted,
        }
    )


def _overdue(assignment: Assignment, now: datetime) -> bool:
    return any(now > d.due_at for d in assignment.open_deadlines())
