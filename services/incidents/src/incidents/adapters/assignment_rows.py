"""An assignment's row: its service level as two columns of seconds, its breaches and its
requests for more time as JSON (the incidents repository loads and saves assignments by it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from incidents.adapters.orm import assignments
from incidents.adapters.rows import RowMapping
from incidents.domain.assignments import Assignment, Breach, Extension
from incidents.domain.deadlines import DeadlineKind, Rung
from incidents.domain.routing import ServiceLevel
from incidents.domain.values import AssignmentStatus, ExtensionStatus


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _extension_row(e: Extension) -> dict[str, Any]:
    return {
        "requested_at": e.requested_at.isoformat(),
        "reason": e.reason,
        "resolve_by": e.resolve_by.isoformat(),
        "previous_resolve_by": _iso(e.previous_resolve_by),
        "status": e.status.value,
        "decided_by": e.decided_by,
        "decided_at": _iso(e.decided_at),
        "note": e.note,
    }


def _extension(row: dict[str, Any]) -> Extension:
    return Extension(
        datetime.fromisoformat(row["requested_at"]),
        row["reason"],
        datetime.fromisoformat(row["resolve_by"]),
        _moment(row["previous_resolve_by"]),
        ExtensionStatus(row["status"]),
        row["decided_by"],
        _moment(row["decided_at"]),
        row["note"],
    )


def _seconds(level: ServiceLevel | None, part: str) -> int | None:
    return int(getattr(level, part).total_seconds()) if level else None


ASSIGNMENT = RowMapping(
    Assignment,
    assignments,
    outside=("incident_id",),
    dump={
        "status": lambda a: a.status.value,
        # The service level promised at dispatch, as two columns of seconds.
        "acknowledge_within": lambda a: _seconds(a.service_level, "acknowledge_within"),
        "resolve_within": lambda a: _seconds(a.service_level, "resolve_within"),
        "breaches": lambda a: [
            {
                "kind": b.kind.value,
                "due_at": b.due_at.isoformat(),
                "rung": int(b.rung),
                "at": b.at.isoformat(),
            }
            for b in a.breaches
        ],
        "extensions": lambda a: [_extension_row(e) for e in a.extensions],
    },
    load={
        "status": lambda r: AssignmentStatus(r.status),
        "service_level": lambda r: (
            ServiceLevel(
                timedelta(seconds=r.acknowledge_within), timedelta(seconds=r.resolve_within)
            )
            if r.acknowledge_within is not None
            else None
        ),
        "breaches": lambda r: [
            Breach(
                DeadlineKind(b["kind"]),
                datetime.fromisoformat(b["due_at"]),
                Rung(b["rung"]),
                datetime.fromisoformat(b["at"]),
            )
            for b in r.breaches
        ],
        "extensions": lambda r: [_extension(e) for e in r.extensions or []],
    },
)
ASSIGNMENT_ORDER = (assignments.c.dispatched_at, assignments.c.lead.desc())
