"""The supervision ladder on the incident: what a durable timer row does when it fires.

The rule (see `deadlines`): a deadline passed unmet is recorded as a breach and reaches the
community's supervision; each further period unmet climbs one rung, to the street, then the
district. Each step is taken once per deadline and appends one timeline line.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from incidents.domain import events
from incidents.domain.assignments import Assignment, Breach
from incidents.domain.deadlines import Deadline, DeadlineKind, Rung, Timer, timers
from incidents.domain.values import enum_value
from lianxin.errors import RuleBroken


class SupervisionLadder:
    """The incident's deadlines and the ladder their breaches climb (see `Incident`)."""

    id: UUID
    community_code: str
    assignments: list[Assignment]
    events: list[object]
    wartime: bool

    def timers(self) -> list[Timer]:
        """The timer rows for every deadline still open: what persistence should have stored."""
        return [timer for a in self.assignments for timer in timers(a.id, a.open_deadlines())]

    def on_timer(self, assignment_id: UUID, kind: str, now: datetime) -> int:
        """A timer row fired: take every ladder step due by `now` and not yet taken, in order,
        one timeline line each. Returns how many; 0 when the deadline was met or moved."""
        assignment, deadline = self._open_deadline(assignment_id, kind)
        if deadline is None:
            return 0
        taken = 0
        for rung in deadline.rungs_due(now, assignment.rung_reached(deadline)):
            if rung is Rung.COMMUNITY:
                taken += self.record_breach(assignment_id, deadline.kind, now)
            else:
                taken += self.climb_ladder(assignment_id, deadline.kind, rung, now)
        return taken

    def record_breach(self, assignment_id: UUID, kind: str, now: datetime) -> bool:
        """The deadline passed unmet: overdue, and the community's supervision is told (rung 1).
        Once per deadline: False, and nothing, if not due, met, or recorded already."""
        assignment, deadline = self._open_deadline(assignment_id, kind)
        if deadline is None or now < deadline.due_at or assignment.rung_reached(deadline) > 0:
            return False
        self.events.append(events.AssignmentOverdue(*self._breach_of(assignment, deadline), now))
        self._breach(assignment, deadline, Rung.COMMUNITY, now)
        return True

    def climb_ladder(self, assignment_id: UUID, kind: str, rung: int, now: datetime) -> bool:
        """Still unmet one more period on: up to the street, then district supervision.
        Once per deadline and rung: False, and nothing, if not due or reached already."""
        target = enum_value(Rung, rung, "rung")
        if target is Rung.COMMUNITY:
            raise RuleBroken("rung", "the community rung is reached by recording the breach")
        assignment, deadline = self._open_deadline(assignment_id, kind)
        if deadline is None or now < deadline.rung_due_at(target):
            return False
        reached = assignment.rung_reached(deadline)
        if reached >= target:
            return False
        if reached < target - 1:
            raise RuleBroken("rung", f"reach {Rung(target - 1).label} before {target.label}")
        self._breach(assignment, deadline, target, now)
        return True

    def _open_deadline(self, assignment_id: UUID, kind: str) -> tuple[Assignment, Deadline | None]:
        assignment = self._find(assignment_id)  # type: ignore[attr-defined]
        return assignment, assignment.deadline(enum_value(DeadlineKind, kind, "kind"))

    def _breach_of(self, assignment: Assignment, deadline: Deadline) -> tuple:
        """The fields every `events.DeadlineBreach` starts with, in their order."""
        return (
            assignment.id,
            self.id,
            self.community_code,
            assignment.department_code,
            deadline.kind.value,
            deadline.due_at,
        )

    def _breach(
        self, assignment: Assignment, deadline: Deadline, rung: Rung, now: datetime
    ) -> None:
        assignment.breaches.append(Breach(deadline.kind, deadline.due_at, rung, now))
        action = "overdue" if rung is Rung.COMMUNITY else "ladder_climbed"
        self._log(  # type: ignore[attr-defined]
            now,
            action,
            "platform",
            f"{assignment.department_code}: {deadline.kind.value} by "
            f"{deadline.due_at.isoformat()} missed → {rung.label}",
        )
        self.events.append(
            events.LadderClimbed(
                *self._breach_of(assignment, deadline),
                rung.label,
                self.wartime,
                now,
            )
        )
