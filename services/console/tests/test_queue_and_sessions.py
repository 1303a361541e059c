"""A department's own queue, and where signing in may send the user back to."""

from __future__ import annotations

from console.domain.queue import queue
from console.entrypoints.web import safe_next


def _incident(n: int, *assignments: dict) -> dict:
    return {"id": f"i{n}", "assignments": list(assignments)}


def _assignment(status: str, due: str, overdue: bool = False, code: str = "power_supply"):
    return {
        "department_code": code,
        "status": status,
        "acknowledge_by": due,
        "resolve_by": due.replace("T", "T1") if status == "dispatched" else due,
        "overdue": overdue,
    }


def test_a_departments_queue_groups_its_held_assignments_by_the_next_deadline() -> None:
    incidents = [
        _incident(1, _assignment("dispatched", "2026-11-29T12:00:00Z")),
        _incident(2, _assignment("dispatched", "2026-11-29T09:00:00Z")),
        _incident(3, _assignment("in_progress", "2026-11-30T09:00:00Z")),
        _incident(4, _assignment("acknowledged", "2026-11-28T09:00:00Z", overdue=True)),
        _incident(5, _assignment("resolved", "2026-11-29T09:00:00Z")),
        _incident(6, _assignment("dispatched", "2026-11-29T08:00:00Z", code="property")),
    ]

    groups = queue(incidents, "power_supply")

    ids = {name: [i.incident["id"] for i in items] for name, items in groups.items()}
    assert ids == {"to_sign": ["i2", "i1"], "in_progress": ["i3"], "overdue": ["i4"]}


def test_signing_in_returns_only_to_a_path_on_this_site() -> None:
    assert safe_next("/incidents?status=open") == "/incidents?status=open"
    for elsewhere in ("https://evil.example/", "//evil.example", "/\\evil.example", "", None):
        assert safe_next(elsewhere) == "/"
    assert safe_next("javascript:alert(1)") == "/"
