"""How incidents look through Open311 GeoReport v2: statuses, updates, and department actions.

GeoReport v2 knows two statuses, `open` and `closed`; ours are finer. An incident is open while
someone still has to act on it, closed once it is resolved or has ended another way. The
servicerequestupdates extension (mySociety's) lets a back-office post richer states; each maps
onto one thing a department does with its assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

OPEN, CLOSED = "open", "closed"

# Our incident statuses, as GeoReport v2 reports them.
STATUS = {
    "reported": OPEN,
    "accepted": OPEN,
    "escalated": OPEN,
    "resolved": CLOSED,
    "verified": CLOSED,
    "closed": CLOSED,
    "rejected": CLOSED,
    "cancelled": CLOSED,
    "merged": CLOSED,
}

# Timeline actions that end or reopen an incident; every other action leaves it as it was.
# (`merged` is logged on the incident that goes on; the duplicate logs `merged_into`.)
CLOSING_ACTIONS = frozenset(
    {"resolved", "resolved_locally", "verified", "closed", "rejected", "cancelled", "merged_into"}
)
OPENING_ACTIONS = frozenset({"reported", "reopened"})


def status_of(incident_status: str) -> str:
    """An incident status we do not know yet (a newer version of incidents) counts as open."""
    return STATUS.get(incident_status, OPEN)


@dataclass(frozen=True)
class Line:
    """One timeline line, as stored."""

    seq: int
    at: datetime
    action: str
    actor: str
    detail: str


@dataclass(frozen=True)
class Update:
    """One service request update: a timeline line with the Open311 status it left behind."""

    update_id: str
    service_request_id: str
    status: str
    updated_datetime: datetime
    description: str


def updates(service_request_id: str, lines: list[Line]) -> list[Update]:
    """The request's updates, oldest first: each line, and the status after it."""
    status, found = OPEN, []
    for line in sorted(lines, key=lambda x: x.seq):
        if line.action in CLOSING_ACTIONS:
            status = CLOSED
        elif line.action in OPENING_ACTIONS:
            status = OPEN
        found.append(
            Update(
                update_id=f"{service_request_id}.{line.seq}",
                service_request_id=service_request_id,
                status=status,
                updated_datetime=line.at,
                description=note(line),
            )
        )
    return found


def note(line: Line) -> str:
    """A line as status notes: what was done, and what was said."""
    return f"{line.action}: {line.detail}" if line.detail else line.action


# What a back-office's update status means for its assignment: the name of a department action
# (see incidents.service_layer.department_actions). GeoReport v2's own `open` and `closed`, and
# the states of mySociety's extension; case does not matter.
UPDATE_STATUSES: dict[str, str] = {
    "open": "acknowledge",
    "investigating": "acknowledge",
    "action_scheduled": "acknowledge",
    "in_progress": "handle",
    "closed": "report_result",
    "fixed": "report_result",
    "not_councils_responsibility": "return",
    "internal_referral": "return",
}


def action_for(update_status: str) -> str | None:
    return UPDATE_STATUSES.get(update_status.strip().lower())
