"""An incident found in a micro-grid, and the assignments it whistles out to departments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from incidents.domain import events

URGENCIES = ("emergency", "utilities", "general", "complex")


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


class AssignmentStatus(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class RuleBroken(ValueError):
    """A command that the incident's state or the rules do not allow; `field` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class TimelineEntry:
    """One line of the incident's audit timeline: who did what, when, why."""

    at: datetime
    action: str
    actor: str
    detail: str = ""


@dataclass
class Assignment:
    id: UUID
    department_code: str
    lead: bool
    status: AssignmentStatus
    dispatched_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    result: str = ""


@dataclass
class Incident:
    id: UUID
    community_code: str
    micro_grid_code: str
    grid_path: list[str]
    category: str
    urgency: str
    description: str
    affected_households: int
    reported_at: datetime
    status: IncidentStatus = IncidentStatus.REPORTED
    assignments: list[Assignment] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    traceparent: str | None = None
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @property
    def trace_id(self) -> str | None:
        return self.traceparent.split("-")[1] if self.traceparent else None

    @property
    def wartime(self) -> bool:
        """Emergencies (fire, flood, sudden events) switch the grid to wartime."""
        return self.urgency == "emergency"

    @classmethod
    def report(
        cls,
        *,
        community_code: str,
        micro_grid_code: str,
        grid_path: list[str],
        category: str,
        urgency: str,
        description: str,
        affected_households: int,
        reporter: str,
        now: datetime,
    ) -> Incident:
        if urgency not in URGENCIES:
            raise RuleBroken("urgency", f"urgency must be one of {', '.join(URGENCIES)}")
        incident = cls(
            uuid4(),
            community_code,
            micro_grid_code,
            grid_path,
            category,
            urgency,
            description,
            affected_households,
            now,
        )
        incident._log(now, "reported", reporter, description)
        incident.events.append(
            events.IncidentReported(
                incident.id,
                community_code,
                micro_grid_code,
                category,
                urgency,
                description,
                affected_households,
            )
        )
        return incident

    def escalate(self, department_codes: list[str], lead: str, actor: str, now: datetime) -> None:
        """Whistle: one assignment per department, the lead first."""
        if self.status is not IncidentStatus.REPORTED:
            raise RuleBroken("status", f"an incident that is {self.status} cannot be escalated")
        if not department_codes or len(set(department_codes)) != len(department_codes):
            raise RuleBroken("department_codes", "name each department once, at least one")
        if lead not in department_codes:
            raise RuleBroken("lead_department_code", "the lead must be one of the departments")
        self.status = IncidentStatus.ESCALATED
        ordered = [lead, *(code for code in department_codes if code != lead)]
        self._log(now, "escalated", actor, "→ " + ", ".join(ordered))
        self.events.append(
            events.IncidentEscalated(
                self.id,
                self.community_code,
                self.micro_grid_code,
                self.grid_path,
                self.category,
                self.urgency,
                self.wartime,
                self.description,
                self.affected_households,
                ordered,
            )
        )
        for code in ordered:
            assignment = Assignment(uuid4(), code, code == lead, AssignmentStatus.DISPATCHED, now)
            self.assignments.append(assignment)
            self.events.append(
                events.AssignmentDispatched(
                    assignment.id,
                    self.id,
                    code,
                    assignment.lead,
                    self.community_code,
                    self.micro_grid_code,
                    self.category,
                    self.urgency,
                    self.description,
                    self.affected_households,
                    now,
                )
            )

    def acknowledge(
        self, assignment_id: UUID, department_code: str, note: str, now: datetime
    ) -> None:
        """The department signs for the whistle (接单)."""
        assignment = self._assignment(assignment_id, department_code)
        if assignment.status is not AssignmentStatus.DISPATCHED:
            raise RuleBroken("status", f"assignment is {assignment.status}, not dispatched")
        assignment.status = AssignmentStatus.ACKNOWLEDGED
        assignment.acknowledged_at = now
        self._log(now, "acknowledged", f"department:{department_code}", note)

    def resolve_assignment(
        self, assignment_id: UUID, department_code: str, result: str, now: datetime
    ) -> None:
        """The department reports its result (反馈); the last one resolves the incident."""
        assignment = self._assignment(assignment_id, department_code)
        if assignment.status is AssignmentStatus.RESOLVED:
            raise RuleBroken("status", "assignment is already resolved")
        assignment.status = AssignmentStatus.RESOLVED
        assignment.resolved_at = now
        assignment.result = result
        self._log(now, "assignment_resolved", f"department:{department_code}", result)
        if all(a.status is AssignmentStatus.RESOLVED for a in self.assignments):
            self.status = IncidentStatus.RESOLVED
            self._log(now, "resolved", "platform", "every assignment resolved")
            self.events.append(events.IncidentResolved(self.id, self.community_code))

    def _assignment(self, assignment_id: UUID, department_code: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                if assignment.department_code != department_code:
                    raise RuleBroken("department_code", "the assignment is another department's")
                return assignment
        raise RuleBroken("assignment_id", f"no assignment {assignment_id} on this incident")

    def _log(self, now: datetime, action: str, actor: str, detail: str = "") -> None:
        self.timeline.append(TimelineEntry(now, action, actor, detail))
