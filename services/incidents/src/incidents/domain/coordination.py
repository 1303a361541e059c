"""The coordinator's steps on one department's part of a whistled incident, without cancelling
the incident: reassign it (改派), withdraw it (撤回), urge the department (催办), and decide on its
request for more time (延期). Part of the incident aggregate, like `DepartmentSteps`.

    dispatched|acknowledged|in_progress ──reassign──▶ reassigned   a new assignment for the other
    returned ──reassign──▶ rerouted                                 (the department gave it back)
    dispatched|acknowledged|in_progress|returned ──withdraw──▶ withdrawn

A withdrawal can leave the incident waiting for nobody: when every part still required is
resolved, the incident is resolved (as after the last result); when no part is left at all, it
is back with the grid (accepted), to be whistled again or settled locally. That is the way out
for an incident stuck 已吹哨 on a co-handler nobody acts for (issue #15, defect 2).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from incidents.domain import events
from incidents.domain.assignments import Assignment
from incidents.domain.routing import DEFAULT_SERVICE_LEVELS, ServiceLevel
from incidents.domain.values import (
    HELD,
    AssignmentStatus,
    ExtensionStatus,
    IncidentStatus,
    require_status,
    require_text,
)
from lianxin.errors import Conflict, RuleBroken

TAKEN_BACK = HELD | {AssignmentStatus.RETURNED}


class CoordinatorSteps:
    """See the module: the methods rely on `DepartmentSteps`' helpers of the same incident."""

    id: UUID
    community_code: str
    urgency: str
    status: IncidentStatus
    assignments: list[Assignment]
    events: list[object]

    def reassign(
        self,
        assignment_id: UUID,
        department_code: str,
        reason: str,
        actor: str,
        now: datetime,
        *,
        service_level: ServiceLevel | None = None,
    ) -> Assignment:
        """Give the assignment to another department (改派). A returned one is rerouted as it
        always was; one the department still holds is taken from it (it is told to stop), and
        the other department gets a new assignment with its own deadlines from now."""
        assignment = self._out_on(assignment_id, TAKEN_BACK, "reassigned")
        if assignment.status is AssignmentStatus.RETURNED:
            return self.reroute(  # type: ignore[attr-defined]
                assignment_id, department_code, actor, now, service_level=service_level
            )
        require_text(department_code, "department_code", "name the department")
        if department_code == assignment.department_code:
            raise RuleBroken(
                "department_code",
                "pick another department than the one holding it",
                type_="same_department",
            )
        if any(a.department_code == department_code and a.required for a in self.assignments):
            raise RuleBroken(
                "department_code",
                f"{department_code} already has a part in this",
                type_="department_taken",
            )
        level = service_level or assignment.service_level or DEFAULT_SERVICE_LEVELS[self.urgency]
        new_id = uuid4()
        assignment.status = AssignmentStatus.REASSIGNED
        assignment.rerouted_to = new_id
        detail = f"{assignment.department_code} → {department_code}"
        self._log(now, "reassigned", actor, f"{detail}: {reason}" if reason else detail)  # type: ignore[attr-defined]
        self.events.append(
            events.AssignmentReassigned(
                assignment.id,
                self.id,
                assignment.department_code,
                department_code,
                new_id,
                reason,
                actor,
                now,
            )
        )
        return self._dispatch(department_code, assignment.lead, level, now, new_id)  # type: ignore[attr-defined]

    def withdraw(self, assignment_id: UUID, reason: str, actor: str, now: datetime) -> None:
        """Take one department's part back (撤回) without cancelling the incident."""
        assignment = self._out_on(assignment_id, TAKEN_BACK, "withdrawn")
        require_text(reason, "reason", "say why the department's part is withdrawn")
        assignment.status = AssignmentStatus.WITHDRAWN
        self._log(now, "withdrawn", actor, f"{assignment.department_code}: {reason}")  # type: ignore[attr-defined]
        self.events.append(
            events.AssignmentWithdrawn(
                assignment.id, self.id, assignment.department_code, reason, actor, now
            )
        )
        if not any(a.required for a in self.assignments):
            self.status = IncidentStatus.ACCEPTED
        else:
            self._settle(now)  # type: ignore[attr-defined]

    def urge(self, assignment_id: UUID, note: str, actor: str, now: datetime) -> None:
        """Remind the department of its part (催办): a timeline line and a message to it."""
        assignment = self._out_on(assignment_id, HELD, "urged")
        detail = f"{assignment.department_code}: {note}" if note else assignment.department_code
        self._log(now, "urged", actor, detail)  # type: ignore[attr-defined]
        self.events.append(
            events.AssignmentUrged(
                assignment.id,
                self.id,
                assignment.department_code,
                note,
                assignment.resolve_by,
                actor,
                now,
            )
        )

    def decide_extension(
        self, assignment_id: UUID, granted: bool, note: str, actor: str, now: datetime
    ) -> None:
        """Grant the department's request for more time (its deadline moves to the one asked
        for) or refuse it (the deadline stays). A breach already recorded stays recorded."""
        assignment = self._out_on(assignment_id, HELD, "given more time")
        request = assignment.pending_extension
        if request is None:
            raise Conflict("no request for more time is waiting for a decision")
        if not granted and not note.strip():
            raise RuleBroken("note", "say why more time is not given", type_="missing")
        request.status = ExtensionStatus.GRANTED if granted else ExtensionStatus.REFUSED
        request.decided_by = actor
        request.decided_at = now
        request.note = note
        code = assignment.department_code
        if granted:
            assignment.resolve_by = request.resolve_by
            self._log(now, "extension_granted", actor, f"{code}: {note}" if note else code)  # type: ignore[attr-defined]
            self.events.append(
                events.ExtensionGranted(
                    assignment.id, self.id, code, request.resolve_by, note, actor, now
                )
            )
        else:
            self._log(now, "extension_refused", actor, f"{code}: {note}")  # type: ignore[attr-defined]
            self.events.append(
                events.ExtensionRefused(
                    assignment.id, self.id, code, assignment.resolve_by, note, actor, now
                )
            )

    def _out_on(self, assignment_id: UUID, allowed: frozenset, doing: str) -> Assignment:
        """The assignment, if the incident is out with the departments and its state allows."""
        require_status("an incident", self.status, {IncidentStatus.ESCALATED}, doing)
        assignment = self._find(assignment_id)  # type: ignore[attr-defined]
        assignment.require_status(allowed, doing)
        return assignment
