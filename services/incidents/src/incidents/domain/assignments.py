"""One department's part of an incident, and the steps of the whistle the department takes.

    dispatched ──acknowledge──▶ acknowledged ──handle──▶ in_progress ──report_result──▶ resolved
    dispatched ──return_assignment(reason)──▶ returned ──reroute──▶ rerouted (final; a new
                                              assignment goes to the other department)
    dispatched|acknowledged ──report_result──▶ resolved     a result implies it was signed for
    resolved ──(incident reopened)──▶ in_progress           same department, fresh resolve deadline
    any but resolved|rerouted ──(incident cancelled)──▶ cancelled
    dispatched|acknowledged|in_progress|returned ──reassign──▶ reassigned   (see `coordination`)
    dispatched|acknowledged|in_progress|returned ──withdraw──▶ withdrawn

A department that signed for it may ask for more time (`request_extension`, 延期申请); the
coordinator grants or refuses it (`coordination`), and a granted one moves `resolve_by`.

Required assignments are those not rerouted, reassigned, withdrawn or cancelled: the incident is
resolved when every required one is. A returned assignment is still required until it is
rerouted, so a return holds the incident open. The steps are methods of the incident
(`DepartmentSteps`): the incident is the aggregate, its assignments change only through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from incidents.domain import events
from incidents.domain.deadlines import (
    Deadline,
    DeadlineKind,
    Rung,
    acknowledge_deadline,
    resolve_deadline,
)
from incidents.domain.routing import DEFAULT_SERVICE_LEVELS, ServiceLevel
from incidents.domain.values import (
    HELD,
    NOT_REQUIRED,
    AssignmentStatus,
    ExtensionStatus,
    IncidentStatus,
    TimelineEntry,
    require_status,
    require_text,
)
from lianxin.errors import Conflict, RuleBroken


@dataclass(frozen=True)
class Breach:
    """A rung of the ladder reached by one deadline of an assignment: recorded once, ever."""

    kind: DeadlineKind
    due_at: datetime
    rung: Rung
    at: datetime


@dataclass
class Extension:
    """A department's request for more time, and what the coordinator decided."""

    requested_at: datetime
    reason: str
    # The deadline asked for, and the one it would replace.
    resolve_by: datetime
    previous_resolve_by: datetime | None
    status: ExtensionStatus = ExtensionStatus.PENDING
    decided_by: str = ""
    decided_at: datetime | None = None
    note: str = ""


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
    # The service level as it was at dispatch: editing the alliance's rules later does not move
    # a deadline already promised. None for assignments stored before deadlines existed.
    service_level: ServiceLevel | None = None
    acknowledge_by: datetime | None = None
    resolve_by: datetime | None = None
    started_at: datetime | None = None
    returned_at: datetime | None = None
    return_reason: str = ""
    rerouted_to: UUID | None = None
    breaches: list[Breach] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return self.status not in NOT_REQUIRED

    @property
    def pending_extension(self) -> Extension | None:
        return next((e for e in self.extensions if e.status is ExtensionStatus.PENDING), None)

    @property
    def extensions_granted(self) -> int:
        return sum(e.status is ExtensionStatus.GRANTED for e in self.extensions)

    @property
    def held(self) -> bool:
        return self.status in HELD

    def deadline(self, kind: DeadlineKind) -> Deadline | None:
        """The deadline of this kind still to be met, if any."""
        if self.service_level is None:
            return None
        if kind is DeadlineKind.ACKNOWLEDGE:
            if self.status is AssignmentStatus.DISPATCHED and self.acknowledge_by is not None:
                return Deadline(kind, self.acknowledge_by, self.service_level.acknowledge_within)
            return None
        if self.held and self.resolve_by is not None:
            return Deadline(kind, self.resolve_by, self.service_level.resolve_within)
        return None

    def open_deadlines(self) -> list[Deadline]:
        return [d for kind in DeadlineKind if (d := self.deadline(kind)) is not None]

    def rung_reached(self, deadline: Deadline) -> int:
        """How far up the ladder this deadline's breach has gone; 0 if not yet breached."""
        return max(
            (
                b.rung
                for b in self.breaches
                if (b.kind, b.due_at) == (deadline.kind, deadline.due_at)
            ),
            default=0,
        )

    def is_late(self, kind: DeadlineKind, at: datetime) -> bool:
        deadline = self.deadline(kind)
        return deadline is not None and deadline.is_late(at)

    def require_status(self, allowed: frozenset | set, doing: str) -> None:
        require_status("an assignment", self.status, allowed, doing)


class DepartmentSteps:
    """What departments do with their assignments, and the coordinator's reroute: the part of
    the incident aggregate that is the whistle's way out and back (see `Incident`)."""

    id: UUID
    community_code: str
    micro_grid_code: str
    category: str
    urgency: str
    description: str
    affected_households: int
    status: IncidentStatus
    assignments: list[Assignment]
    timeline: list[TimelineEntry]
    resolved_at: datetime | None
    events: list[object]

    def _log(self, now: datetime, action: str, actor: str, detail: str = "") -> None:
        self.timeline.append(TimelineEntry(now, action, actor, detail))

    def acknowledge(
        self, assignment_id: UUID, department_code: str, note: str, now: datetime
    ) -> None:
        """The department signs for the whistle (接单); after `acknowledge_by` it is late."""
        assignment = self._department_assignment(assignment_id, department_code)
        assignment.require_status({AssignmentStatus.DISPATCHED}, "signed for")
        late = assignment.is_late(DeadlineKind.ACKNOWLEDGE, now)
        assignment.status = AssignmentStatus.ACKNOWLEDGED
        assignment.acknowledged_at = now
        self._log(now, "acknowledged", _department(department_code), _late_note(note, late))
        self.events.append(
            events.DepartmentAcknowledged(assignment.id, self.id, department_code, note, late, now)
        )

    def return_assignment(
        self, assignment_id: UUID, department_code: str, reason: str, now: datetime
    ) -> None:
        """The department sends the whistle back, not signed for: "not ours", and why."""
        assignment = self._department_assignment(assignment_id, department_code)
        assignment.require_status({AssignmentStatus.DISPATCHED}, "returned")
        require_text(reason, "reason", "say why the assignment is returned")
        assignment.status = AssignmentStatus.RETURNED
        assignment.returned_at = now
        assignment.return_reason = reason
        self._log(now, "returned", _department(department_code), reason)
        self.events.append(
            events.DepartmentReturned(assignment.id, self.id, department_code, reason, now)
        )

    def reroute(
        self,
        assignment_id: UUID,
        department_code: str,
        actor: str,
        now: datetime,
        *,
        service_level: ServiceLevel | None = None,
    ) -> Assignment:
        """The coordinator sends a returned assignment to another department.

        The new department gets a new assignment with its own deadlines from now: it answers
        only for the time it holds the case. The returned one is kept, rerouted, for the record.
        """
        require_status("an incident", self.status, {IncidentStatus.ESCALATED}, "re-routed")
        returned = self._find(assignment_id)
        returned.require_status({AssignmentStatus.RETURNED}, "re-routed")
        require_text(department_code, "department_code", "name the department")
        if department_code == returned.department_code:
            raise RuleBroken("department_code", "pick another department than the one returning it")
        if any(a.department_code == department_code and a.required for a in self.assignments):
            raise RuleBroken("department_code", f"{department_code} already has a part in this")
        level = service_level or returned.service_level or DEFAULT_SERVICE_LEVELS[self.urgency]
        new_id = uuid4()
        returned.status = AssignmentStatus.REROUTED
        returned.rerouted_to = new_id
        self._log(now, "rerouted", actor, f"{returned.department_code} → {department_code}")
        self.events.append(
            events.AssignmentRerouted(
                returned.id,
                self.id,
                self.community_code,
                returned.department_code,
                department_code,
                new_id,
                actor,
                now,
            )
        )
        return self._dispatch(department_code, returned.lead, level, now, new_id)

    def handle(self, assignment_id: UUID, department_code: str, note: str, now: datetime) -> None:
        """The department is on it (办理). The wire and the timeline still say `started`."""
        assignment = self._department_assignment(assignment_id, department_code)
        assignment.require_status({AssignmentStatus.ACKNOWLEDGED}, "started")
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.started_at = now
        self._log(now, "started", _department(department_code), note)
        self.events.append(
            events.DepartmentStartedHandling(assignment.id, self.id, department_code, note, now)
        )

    def report_result(
        self, assignment_id: UUID, department_code: str, result: str, now: datetime
    ) -> None:
        """The department reports its result (反馈); the last required one resolves the incident.

        A result straight from dispatched counts as signing for it too: the department plainly
        had the case, and its acknowledged_at is set to the same moment.
        """
        assignment = self._department_assignment(assignment_id, department_code)
        if assignment.status is AssignmentStatus.RESOLVED:
            raise Conflict("assignment is already resolved")
        assignment.require_status(HELD, "resolved")
        require_text(result, "result", "report the result")
        late = assignment.is_late(DeadlineKind.RESOLVE, now)
        assignment.status = AssignmentStatus.RESOLVED
        assignment.acknowledged_at = assignment.acknowledged_at or now
        assignment.resolved_at = now
        assignment.result = result
        self._log(
            now, "assignment_resolved", _department(department_code), _late_note(result, late)
        )
        self.events.append(
            events.DepartmentReportedResult(
                assignment.id, self.id, department_code, result, late, now
            )
        )
        self._settle(now)

    def request_extension(
        self,
        assignment_id: UUID,
        department_code: str,
        reason: str,
        now: datetime,
        *,
        resolve_by: datetime,
    ) -> None:
        """The department asks for more time (延期申请): a later deadline, and why. Only once it
        signed for the case (it knows the work), one request at a time."""
        assignment = self._department_assignment(assignment_id, department_code)
        signed_for = {AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.IN_PROGRESS}
        assignment.require_status(signed_for, "given more time")
        if not reason.strip():
            raise RuleBroken("reason", "say why more time is needed", type_="missing")
        if resolve_by.tzinfo is None:
            raise RuleBroken("resolve_by", "give the deadline with its time zone")
        if resolve_by <= max(now, assignment.resolve_by or now):
            raise RuleBroken(
                "resolve_by",
                "ask for a deadline later than the present one",
                type_="deadline_not_later",
            )
        if assignment.pending_extension is not None:
            raise Conflict("a request for more time is already waiting for a decision")
        assignment.extensions.append(Extension(now, reason, resolve_by, assignment.resolve_by))
        self._log(now, "extension_requested", _department(department_code), reason)
        self.events.append(
            events.ExtensionRequested(
                assignment.id,
                self.id,
                department_code,
                reason,
                resolve_by,
                assignment.resolve_by,
                now,
            )
        )

    def _settle(self, now: datetime) -> None:
        """Once every required assignment is resolved, so is the incident (the grid verifies
        it next). Called after a department's result and after a withdrawal."""
        if all(a.status is AssignmentStatus.RESOLVED for a in self.assignments if a.required):
            self.status = IncidentStatus.RESOLVED
            self.resolved_at = now
            self._log(now, "resolved", "platform", "every assignment resolved")
            self.events.append(events.IncidentResolved(self.id, self.community_code))

    def _dispatch(
        self,
        code: str,
        lead: bool,
        level: ServiceLevel,
        now: datetime,
        assignment_id: UUID | None = None,
    ) -> Assignment:
        assignment = Assignment(
            assignment_id or uuid4(),
            code,
            lead,
            AssignmentStatus.DISPATCHED,
            now,
            service_level=level,
            acknowledge_by=acknowledge_deadline(now, level).due_at,
            resolve_by=resolve_deadline(now, level).due_at,
        )
        self.assignments.append(assignment)
        self.events.append(
            events.AssignmentDispatched(
                assignment.id,
                self.id,
                code,
                lead,
                self.community_code,
                self.micro_grid_code,
                self.category,
                self.urgency,
                self.description,
                self.affected_households,
                now,
                assignment.acknowledge_by,
                assignment.resolve_by,
            )
        )
        return assignment

    def _find(self, assignment_id: UUID) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        raise RuleBroken("assignment_id", f"no assignment {assignment_id} on this incident")

    def _department_assignment(self, assignment_id: UUID, department_code: str) -> Assignment:
        """A department acts only on its own assignment, and only while the incident is out."""
        assignment = self._find(assignment_id)
        if assignment.department_code != department_code:
            raise RuleBroken("department_code", "the assignment is another department's")
        if self.status is not IncidentStatus.ESCALATED:
            raise Conflict(f"the incident is {self.status}, not escalated")
        return assignment


def _department(code: str) -> str:
    return f"department:{code}"


def _late_note(text: str, late: bool) -> str:
    return f"{text} (late)" if late else text
