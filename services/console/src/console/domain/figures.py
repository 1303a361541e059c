"""Dashboard figures computed from an incident list, for when incidents has no rates or board
endpoint to ask: open / overdue / escalated counts, the three rates and the departments' load."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from console.domain.deadlines import assignment_deadline, parse

FINISHED = frozenset({"resolved", "verified", "closed", "cancelled", "merged", "rejected"})
DONE = frozenset({"resolved", "verified", "closed"})
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
ASSIGNMENT_CLOSED = frozenset({"resolved", "cancelled", "rerouted", "returned"})
RUNGS = ("community", "street", "district_supervision")


def is_overdue(incident: dict, now: datetime) -> bool:
    if incident.get("overdue"):
        return True
    return any(assignment_overdue(a, now) for a in incident.get("assignments") or [])


def assignment_overdue(assignment: dict, now: datetime) -> bool:
    if assignment.get("status") in ASSIGNMENT_CLOSED:
        return False
    if assignment.get("breaches"):
        return True
    due = parse(assignment_deadline(assignment))
    return due is not None and due < now


def counts(incidents: list[dict], now: datetime) -> dict[str, int]:
    return {
        "open": sum(1 for i in incidents if i["status"] not in FINISHED),
        "overdue": sum(1 for i in incidents if i["status"] not in FINISHED and is_overdue(i, now)),
        "escalated": sum(1 for i in incidents if i["status"] == "escalated"),
    }


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rates(incidents: list[dict]) -> dict[str, float | None]:
    """Response: assignments signed for; resolution: escalated incidents done; satisfaction:
    ratings satisfied or basically satisfied. None where there is nothing to count yet."""
    assignments = [a for i in incidents for a in i.get("assignments") or []]
    escalated = [i for i in incidents if i.get("assignments")]
    ratings = [f.get("rating") for i in incidents for f in i.get("feedback") or []]
    return {
        "response": _share(
            sum(1 for a in assignments if a.get("acknowledged_at")), len(assignments)
        ),
        "resolution": _share(sum(1 for i in escalated if i["status"] in DONE), len(escalated)),
        "satisfaction": _share(sum(1 for r in ratings if r in SATISFIED), len(ratings)),
    }


def trend(incidents: list[dict], days: int = 14) -> dict[str, list]:
    """The three rates per day reported (the last `days` days that have incidents)."""
    by_day: dict[str, list[dict]] = defaultdict(list)
    for incident in incidents:
        by_day[incident["reported_at"][:10]].append(incident)
    labels = sorted(by_day)[-days:]
    series = {name: [] for name in ("response", "resolution", "satisfaction")}
    for day in labels:
        for name, value in rates(by_day[day]).items():
            series[name].append(value)
    return {"labels": labels, **series}


def rates_from_counts(rows: list[dict]) -> dict[str, float | None]:
    """The three rates over several keys of incidents' `/rates` (by community), from their
    counts summed: a share of the whole, not an average of shares; and beside them the local
    resolutions, of which those settled at deliberations (counts, not rates)."""
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for name, value in (row.get("counts") or {}).items():
            total[name] += value
    return {
        "response": _share(total["acknowledged"], total["dispatched"]),
        "resolution": _share(total["incidents_resolved"], total["incidents"]),
        "satisfaction": _share(total["satisfied"] + total["basically_satisfied"], total["rated"]),
        "resolved_locally": total["resolved_locally"],
        "deliberated": total["deliberated"],
    }


def trend_from_series(labels: list[str], series: list[list[dict]]) -> dict[str, list]:
    """Several keys' `/rates/trend` series (one row per period, in `labels` order) as one."""
    by_period = [
        rates_from_counts([s[i] for s in series if i < len(s)]) for i in range(len(labels))
    ]
    return {
        "labels": labels,
        **{
            name: [p[name] for p in by_period]
            for name in ("response", "resolution", "satisfaction")
        },
    }


def recent_months(now: datetime, count: int = 6) -> list[str]:
    """`YYYY-MM` labels of the last `count` months, oldest first, this month last."""
    year, month = now.year, now.month
    labels = []
    for _ in range(count):
        labels.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def board_rung(row: dict) -> str | None:
    """The highest ladder rung any of a department's assignments has reached."""
    reached = [rung for rung in RUNGS if row.get(rung)]
    return reached[-1] if reached else row.get("rung")


def department_load(incidents: list[dict], now: datetime) -> list[dict]:
    """Per department: assignments held, how many overdue, the highest ladder rung reached."""
    board: dict[str, dict] = {}
    for incident in incidents:
        for assignment in incident.get("assignments") or []:
            row = board.setdefault(
                assignment["department_code"],
                {"code": assignment["department_code"], "held": 0, "overdue": 0, "rung": None},
            )
            if assignment.get("status") in ASSIGNMENT_CLOSED:
                continue
            row["held"] += 1
            if assignment_overdue(assignment, now):
                row["overdue"] += 1
            for breach in assignment.get("breaches") or []:
                rung = breach.get("rung")
                if rung in RUNGS and (
                    row["rung"] is None or RUNGS.index(rung) > RUNGS.index(row["rung"])
                ):
                    row["rung"] = rung
    return sorted(board.values(), key=lambda r: (-r["overdue"], -r["held"], r["code"]))
