"""A department operator's own queue: its assignments still held, in three groups (to sign for,
in progress, overdue), each ordered by the deadline that comes next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain.deadlines import parse

HELD = ("dispatched", "acknowledged", "in_progress")


@dataclass(frozen=True)
class Item:
    incident: dict
    assignment: dict
    due: datetime | None  # signing for it while dispatched, else resolving it
    overdue: bool


def queue(incidents: list[dict], department: str) -> dict[str, list[Item]]:
    """{"overdue", "to_sign", "in_progress"}: an overdue assignment is listed there only."""
    groups: dict[str, list[Item]] = {"overdue": [], "to_sign": [], "in_progress": []}
    for incident in incidents:
        for a in incident.get("assignments") or []:
            if a["department_code"] != department or a["status"] not in HELD:
                continue
            signing = a["status"] == "dispatched"
            due = parse(a.get("acknowledge_by") if signing else a.get("resolve_by"))
            item = Item(incident, a, due, bool(a.get("overdue")))
            group = "overdue" if item.overdue else "to_sign" if signing else "in_progress"
            groups[group].append(item)
    for items in groups.values():
        items.sort(key=lambda i: (i.due is None, i.due or datetime.max, i.incident["id"]))
    return groups
