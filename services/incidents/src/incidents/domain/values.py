"""The incident's value types: statuses, who reported it, the resident's rating, timeline lines,
and the small checks every command makes on its input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from typing import TypeVar

from lianxin.errors import Conflict, RuleBroken

ANONYMOUS = "anonymous"
# Who gives a rating through the resident's own link (回访 without an account).
RESIDENT = "resident"


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"


# Not yet whistled out nor settled: where triage, local handling and escalation happen.
BEFORE_HANDLING = frozenset({IncidentStatus.REPORTED, IncidentStatus.ACCEPTED})
OPEN = BEFORE_HANDLING | {
    IncidentStatus.ESCALATED,
    IncidentStatus.RESOLVED,
    IncidentStatus.VERIFIED,
}


class AssignmentStatus(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    REROUTED = "rerouted"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    # The coordinator took the department's part away: to another department (改派), or
    # altogether (撤回). Final, like rerouted.
    REASSIGNED = "reassigned"
    WITHDRAWN = "withdrawn"


# Not part of the incident any more: the incident waits for the others only.
NOT_REQUIRED = frozenset(
    {
        AssignmentStatus.REROUTED,
        AssignmentStatus.CANCELLED,
        AssignmentStatus.REASSIGNED,
        AssignmentStatus.WITHDRAWN,
    }
)

# A department holds the assignment, so its clock runs.
HELD = frozenset(
    {AssignmentStatus.DISPATCHED, AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.IN_PROGRESS}
)


class ExtensionStatus(StrEnum):
    """A department's request for more time (延期申请), and the coordinator's decision."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class ReporterKind(StrEnum):
    GRID_LEADER = "grid_leader"
    PARTY_HOUSEHOLD = "party_household"
    OFFICER = "officer"
    # A resident reports through their grid, never straight to a department.
    RESIDENT = "resident"


class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"

    @property
    def closes(self) -> bool:
        return self is not Rating.UNSATISFIED


@dataclass
class TimelineEntry:
    """One line of the incident's audit timeline: who did what, when, why."""

    at: datetime
    action: str
    actor: str
    detail: str = ""


@dataclass(frozen=True)
class Feedback:
    rating: Rating
    comment: str
    actor: str
    at: datetime


E = TypeVar("E", bound=Enum)


def enum_value(kind: type[E], value: object, field_name: str) -> E:
    """`value` as a member of `kind`, or RuleBroken naming the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise RuleBroken(field_name, f"{field_name} must be one of {allowed}") from None


def require_text(value: str, field_name: str, message: str) -> None:
    if not value.strip():
        raise RuleBroken(field_name, message)


def require_status(what: str, status: StrEnum, allowed: frozenset | set, doing: str) -> None:
    """The state forbids the command: a Conflict, not a bad input."""
    if status not in allowed:
        raise Conflict(f"{what} that is {status} cannot be {doing}")
