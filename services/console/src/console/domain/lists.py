"""Figures of the resources pages, counted from what the resources API answers: the wish
fulfilment rate summed over communities, the open needs, the projects on time; and the periods
(years, quarters) they are counted over, in China time as resources counts them.

Nothing here decides who sees what: the lists it is given are already the user's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from console.domain.deadlines import parse

CST = timezone(timedelta(hours=8), "CST")

# Needs not met nor declined; of them, those still waiting for a joint meeting's decision.
OPEN_NEEDS = frozenset({"open", "matched", "in_project"})
UNDECIDED = frozenset({"open", "matched"})
ON_TIME = frozenset({"on_track", "finished_on_time"})


def year_period(now: datetime) -> tuple[str, datetime, datetime]:
    """(label, start, end) of the calendar year `now` falls in, China time."""
    year = now.astimezone(CST).year
    return str(year), datetime(year, 1, 1, tzinfo=CST), datetime(year + 1, 1, 1, tzinfo=CST)


def quarter_of(now: datetime) -> str:
    local = now.astimezone(CST)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def recent_quarters(now: datetime, count: int = 4) -> list[str]:
    """`YYYY-Qn` of this quarter and the `count - 1` before it, newest first."""
    local = now.astimezone(CST)
    year, number = local.year, (local.month - 1) // 3 + 1
    found = []
    for _ in range(count):
        found.append(f"{year}-Q{number}")
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    return found


def percent(part: int, whole: int) -> str | None:
    """Per cent to one decimal, half up (as resources rounds the fulfilment rate)."""
    if not whole:
        return None
    exact = Decimal(100 * part) / Decimal(whole)
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def fulfilment(rates: Iterable[dict]) -> dict:
    """Several communities' `/wishes/fulfilment-rate` answers as one: the share of all the
    wishes collected, not an average of the communities' shares."""
    rows = list(rates)
    collected = sum(r.get("collected", 0) for r in rows)
    fulfilled = sum(r.get("fulfilled", 0) for r in rows)
    return {
        "collected": collected,
        "fulfilled": fulfilled,
        "percent": percent(fulfilled, collected),
    }


def need_counts(needs: Iterable[dict]) -> dict[str, int]:
    found = list(needs)
    return {
        "open": sum(1 for n in found if n.get("status") in OPEN_NEEDS),
        "undecided": sum(1 for n in found if n.get("status") in UNDECIDED),
    }


def _overdue(responsibility: dict, now: datetime) -> bool:
    due = parse(responsibility.get("due_at"))
    return responsibility.get("done_at") is None and due is not None and now > due


def project_state(project: dict, now: datetime) -> str:
    """not_claimed, on_track, overdue, finished_on_time or finished_late: the states of
    resources' feedback list (a project is overdue when past its due date unfinished or when
    any of its responsibilities is overdue)."""
    due = parse(project.get("due_at"))
    if project.get("status") == "finished":
        finished = parse(project.get("finished_at"))
        on_time = finished is not None and due is not None and finished <= due
        return "finished_on_time" if on_time else "finished_late"
    if project.get("status") == "open":
        return "not_claimed"
    late = due is not None and now > due
    if late or any(_overdue(r, now) for r in project.get("responsibilities") or []):
        return "overdue"
    return "on_track"


def project_counts(projects: Iterable[dict], now: datetime) -> dict:
    """Of the projects some unit has claimed: how many are on time (on track, or finished by
    their due date), how many overdue."""
    states = [project_state(p, now) for p in projects]
    claimed = [s for s in states if s != "not_claimed"]
    on_time = sum(1 for s in claimed if s in ON_TIME)
    return {
        "claimed": len(claimed),
        "on_time": on_time,
        "overdue": claimed.count("overdue"),
        "not_claimed": states.count("not_claimed"),
        "percent": percent(on_time, len(claimed)),
    }


def responsibility_state(responsibility: dict, now: datetime) -> str:
    """in_hand, overdue, done or done_late (resources' responsibilities list says the same)."""
    done = parse(responsibility.get("done_at"))
    due = parse(responsibility.get("due_at"))
    if done is not None:
        return "done_late" if due is not None and done > due else "done"
    return "overdue" if _overdue(responsibility, now) else "in_hand"


def stale(offer: dict, now: datetime, after: timedelta = timedelta(days=183)) -> bool:
    """An offer not refreshed for half a year (resources' rule for the reminder)."""
    refreshed = parse(offer.get("refreshed_at"))
    return refreshed is not None and now - refreshed >= after


# What resources writes in English (the feedback list's details, the scorecards' reasons), in
# the console's words: (pattern, Chinese, English); `{unit}` marks a member unit's code.
_PHRASES: list[tuple[str, str, str]] = [
    (r"due (\S+)", "期限 {0}", "due {0}"),
    (r"done (\S+)", "完成于 {0}", "done {0}"),
    (r"claimed by (.+)", "认领: {units}", "claimed by {units}"),
    (r"(\d+) responsibilities overdue", "{0} 项责任逾期", "{0} responsibilities overdue"),
    (r"rated (\S+) by (\d+)", "居民评价 {0} 分 ({1} 户)", "rated {0} by {1}"),
    (r"(\S+), (due|done) (\S+)", "{unit0}, {1z} {2}", "{unit0}, {1} {2}"),
    (r"(\d+) claimed: (\S+)", "认领项目 {0} 个: {1}", "{0} projects claimed: {1}"),
    (r"(\d+) finished on time: (\S+)", "按期完成 {0} 个: {1}", "{0} finished on time: {1}"),
    (r"(\d+) late: (\S+)", "逾期 {0} 个: {1}", "{0} late: {1}"),
    (r"rated (\S+) by (\d+): (\S+)", "居民评价 {0} 分 ({1} 户): {2}", "rated {0} by {1}: {2}"),
    (
        r"wishes (\d+) claimed, (\d+) fulfilled( \(capped\))?: (\S+)",
        "微心愿认领 {0} 个、完成 {1} 个{2z}: {3}",
        "wishes {0} claimed, {1} fulfilled{2}: {3}",
    ),
    (
        r"nothing claimed or done this quarter: (\S+)",
        "本季度无认领或完成: {0}",
        "nothing this quarter: {0}",
    ),
]
_ZH = {"due": "期限", "done": "完成于", " (capped)": " (封顶)"}


def in_words(text: str, lang: str, units: dict[str, str]) -> str:
    """`text` from resources, each `; `-separated part put in `lang`, member units named; a part
    no pattern knows (a reason a person typed) is kept as it is."""
    said = []
    for part in text.split("; "):
        for pattern, zh, en in _PHRASES:
            found = re.fullmatch(pattern, part)
            if found is None:
                continue
            groups = [g or "" for g in found.groups()]
            part = (zh if lang == "zh" else en).format(
                *groups,
                units=("、" if lang == "zh" else ", ").join(
                    units.get(u, u) for u in groups[0].split(", ")
                ),
                unit0=units.get(groups[0], groups[0]),
                **{f"{i}z": _ZH.get(g, g) for i, g in enumerate(groups)},
            )
            break
        said.append(part)
    return "; ".join(said)
