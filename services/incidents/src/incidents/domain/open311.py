"""How incidents look through Open311 GeoReport v2: statuses, updates, and department actions.

GeoReport v2 knows two statuses, `open` and `closed`; ours are finer. An incident is open while
someone still has to act on it, closed once it is resolved or has ended another way. The
servicerequestupdates extension (mySociety's) lets a back-office post richer states; each maps
onto one thing a department does with its assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lianxin.errors import RuleBroken

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


# What a request may say besides the spec's own fields: GeoReport v2 service attributes
# (`attribute[<code>]` in the POST), the same for every service since every category takes
# them. Each is a field of the incident the request becomes.
@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    description: str
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = ()  # (key, name) of a list's choices


URGENCIES = ("emergency", "utilities", "general", "complex")
ATTRIBUTES = (
    Attribute(
        "urgency",
        "singlevaluelist",
        False,
        "How urgent: it sets the time limits (default general)",
        values=(
            ("emergency", "emergency (2 h)"),
            ("utilities", "water, power, gas or heating (24 h)"),
            ("general", "general (7 days)"),
            ("complex", "complex (15 days)"),
        ),
    ),
    Attribute(
        "affected_households",
        "number",
        False,
        "How many households are affected (default 0)",
        "a whole number, at most the micro-grid's households",
    ),
    Attribute(
        "contact_consent",
        "singlevaluelist",
        False,
        "May the departments see the reporter's phone and email (default false)",
        values=(("true", "yes"), ("false", "no")),
    ),
)


def definition(service_code: str) -> dict:
    """The service definition (`services/{code}`) of a service, GeoReport v2's fields."""
    return {
        "service_code": service_code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": order,
                "description": a.description,
                "values": [{"key": key, "name": name} for key, name in a.values],
            }
            for order, a in enumerate(ATTRIBUTES, start=1)
        ],
    }


def coordinate(field: str, value: str, limit: float) -> float:
    """A latitude (limit 90) or longitude (limit 180) in decimal degrees, or why not."""
    try:
        number = float(value)
    except ValueError:
        raise RuleBroken(field, f"{value!r} is not a number of degrees") from None
    if not -limit <= number <= limit:
        raise RuleBroken(field, f"{number} is outside -{limit:g}…{limit:g} degrees")
    return number
