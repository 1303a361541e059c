"""The three rates (三率) and the quarterly red/black list (红黑榜), from plain facts.

Sources. The glossary (/work/shared/GLOSSARY.md) names the steps of a whistle — dispatch 派单,
acknowledge 接单, handle 办理, report the result 反馈, follow up 回访 — and the red/black list as
"quarterly published rankings of member units"; Taipingjie (seeds/001) publishes a 红黑榜 every
quarter and folds it into the year-end review. Neither the glossary nor the seeds define the
rates themselves; they come from Beijing's 接诉即办 "三率考核": 响应率 (response), 解决率
(resolution), 满意率 (satisfaction). The operational definitions below are this module's own.

Units. A department is measured on its assignments (派单); a community or street on the
incidents reported in it, so that an incident resolved locally (小事不出小区) counts in its
community's resolution and satisfaction (SCENARIOS.md 4), and on the assignments whistled out
for it (how well departments answered that territory).

- Counted assignment: any status except `rerouted` and `cancelled`. A cancelled one was
  withdrawn with its incident; a rerouted one was returned and the coordinator agreed by sending
  it elsewhere, so the returning department is not held to a case that was not its own. A
  `returned` assignment not (yet) rerouted stays counted, unresolved, against the department.
  A `reassigned` or `withdrawn` one (the coordinator took it away, 改派/撤回) is not counted
  either, unless one of its deadlines had already been missed: a department cannot shed a
  breach by sitting on a case until it is taken away, so that one stays counted, unresolved.
- More time (延期): a granted extension moves the assignment's resolve_by, and on time means by
  the deadline in force when it was resolved; so that this is not a way to look punctual, every
  counted assignment with a granted extension is counted in `extended` (and `extensions` counts
  the extensions granted), shown beside the on-time rates.
- Counted incident: any status except `rejected`, `cancelled` and `merged` (a merged duplicate
  lives on in the incident it was merged into).
- Period: an assignment belongs to the period of its dispatch, an incident to the period of its
  report, both in Asia/Shanghai time; a department's ratings are those of the incidents of its
  counted assignments in the period, lead and co-handlers alike (the resident rates the
  incident, not one department).
- 响应率 response_rate = acknowledged / dispatched (counted assignments; late ones respond too).
- on_time_acknowledgement_rate = acknowledged at or before acknowledge_by / dispatched.
- 解决率 resolution_rate: department = resolved assignments / dispatched; community and street =
  resolved incidents (resolved, verified or closed) / counted incidents.
- on_time_resolution_rate = assignments resolved at or before resolve_by / dispatched. The
  resolution that counts is the last one: an assignment reopened after resolving is resolved
  only once it is resolved again, and on time only if that last resolution is.
- 满意率 satisfaction_rate = (satisfied + basically satisfied) / rated incidents; an incident's
  last rating counts. Basically satisfied is kept as its own count so that a weighted variant
  can be computed from `counts` without changing this module.
- Times to acknowledge and to resolve run from dispatch, in seconds, over the counted assignments
  acknowledged (resp. resolved). Median and p90 use the nearest-rank method: the ceil(p·n)-th
  smallest value, always an observed duration (for an even count the median is the lower
  middle one).
- A rate or time with nothing to measure is None, never 0.

Local resolutions (小事不出小区). A community's or street's `resolved_locally` counts its
incidents resolved locally (and resolved, in the period of their report) plus the matters its
residents' deliberations settled themselves (议事就地化解: an agreed item turned into a local
resolution, in the period it was recorded as settled); `deliberated` says how many of those came
from deliberations (SCENARIOS.md 4 and 15). Such a settlement counts there only, not in the
three rates: a deliberation records a matter for the rates only once it is settled (one it could
not settle became an incident, counted as one), so adding it to the resolution rate would add a
success for every item recorded, and holding meetings would raise the rate. Departments have no
settlements.

Work still open counts as not (yet) acknowledged or resolved, so a running period's rates rise
as it is worked off.

Red/black list: the glossary's 红黑榜 ranks member units; issue #4 asks for the same quarterly
list of departments. Departments with at least `min_dispatched` counted assignments and at least
`min_rated` rated incidents in the quarter (or a missed deadline: see below) are ranked by
score = the mean of the three rates (of those defined); those whose assignments missed a
deadline come after all that missed none; ties go to the better on-time resolution rate, then
the department code. The top k are red
(红榜), the bottom k black (黑榜); the two never share a department (each takes at most half of
those ranked). The others are listed as unranked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal

# Asia/Shanghai has kept UTC+8 without daylight saving since 1991; a fixed offset needs no tz
# database in the container and gives the same instants for any period this platform sees.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

Grouping = Literal["department", "community", "street"]
GROUPINGS: tuple[Grouping, ...] = ("department", "community", "street")
UNCOUNTED_ASSIGNMENT = frozenset({"rerouted", "cancelled"})
TAKEN_AWAY = frozenset({"reassigned", "withdrawn"})
UNCOUNTED_INCIDENT = frozenset({"rejected", "cancelled", "merged"})
RESOLVED_INCIDENT = frozenset({"resolved", "verified", "closed"})


@dataclass(frozen=True)
class AssignmentFacts:
    department_code: str
    community_code: str
    street_code: str
    dispatched_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None
    resolve_by: datetime
    resolved_at: datetime | None
    status: str  # dispatched|acknowledged|in_progress|returned|rerouted|resolved|cancelled…
    # Extensions granted (延期), and whether a deadline was missed (a breach recorded).
    extensions: int = 0
    breached: bool = False

    @property
    def counted(self) -> bool:
        if self.status in TAKEN_AWAY:
            return self.breached
        return self.status not in UNCOUNTED_ASSIGNMENT

    @property
    def resolved(self) -> bool:
        # The status decides: a reopened assignment may still carry its earlier resolved_at.
        return self.status == "resolved" and self.resolved_at is not None


@dataclass(frozen=True)
class IncidentFacts:
    incident_id: str
    community_code: str
    street_code: str
    reported_at: datetime
    status: str
    resolved_at: datetime | None
    resolved_locally: bool
    ratings: tuple[str, ...] = ()  # satisfied|basically_satisfied|unsatisfied, oldest first
    assignments: tuple[AssignmentFacts, ...] = ()

    @property
    def counted(self) -> bool:
        return self.status not in UNCOUNTED_INCIDENT

    @property
    def resolved(self) -> bool:
        return self.status in RESOLVED_INCIDENT

    @property
    def rating(self) -> str | None:
        return self.ratings[-1] if self.ratings else None


@dataclass(frozen=True)
class SettlementFacts:
    """A matter a residents' deliberation settled locally: one agreed item's local resolution."""

    community_code: str
    street_code: str
    settled_at: datetime


@dataclass(frozen=True)
class Period:
    """A quarter ("2026-Q4") or a month ("2026-11"): [start, end) in Asia/Shanghai time."""

    label: str
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, label: str) -> Period:
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
            year, first_month, months = int(m[1]), 3 * int(m[2]) - 2, 3
        elif m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", label):
            year, first_month, months = int(m[1]), int(m[2]), 1
        else:
            raise ValueError(f"period {label!r} is neither YYYY-Qn nor YYYY-MM")
        end_year, end_month = divmod(first_month - 1 + months, 12)
        start = datetime(year, first_month, 1, tzinfo=SHANGHAI)
        end = datetime(year + end_year, end_month + 1, 1, tzinfo=SHANGHAI)
        return cls(label, start, end)

    def __contains__(self, moment: datetime) -> bool:
        if moment.tzinfo is None:
            raise ValueError("facts must carry aware datetimes")
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Counts:
    dispatched: int = 0  # counted assignments
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    resolved: int = 0  # resolved assignments
    resolved_on_time: int = 0
    incidents: int = 0  # counted incidents (a department's: those it held an assignment on)
    incidents_resolved: int = 0
    resolved_locally: int = 0  # incidents resolved locally, and deliberations' settlements
    rated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    extended: int = 0  # counted assignments given more time at least once
    extensions: int = 0  # extensions granted on them
    deliberated: int = 0  # matters deliberations settled locally (in resolved_locally too)


@dataclass(frozen=True)
class Rates:
    key: str
    period: str
    counts: Counts
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    on_time_acknowledgement_rate: float | None
    on_time_resolution_rate: float | None
    median_seconds_to_acknowledge: float | None
    p90_seconds_to_acknowledge: float | None
    median_seconds_to_resolve: float | None
    p90_seconds_to_resolve: float | None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the ceil(p/100 · n)-th smallest value; None for no values."""
    if not values:
        return None
    rank = max(1, math.ceil(p / 100 * len(values)))
    return sorted(values)[rank - 1]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class _Tally:
    assignments: list[AssignmentFacts] = field(default_factory=list)
    incidents: dict[str, IncidentFacts] = field(default_factory=dict)
    settled: int = 0  # deliberations' local resolutions

    def rates(self, key: str, period: Period, by: Grouping) -> Rates:
        # (dispatched, done, due) for each assignment acknowledged, resp. resolved.
        acked = [
            (a.dispatched_at, a.acknowledged_at, a.acknowledge_by)
            for a in self.assignments
            if a.acknowledged_at is not None
        ]
        resolved = [
            (a.dispatched_at, a.resolved_at, a.resolve_by)
            for a in self.assignments
            if a.resolved and a.resolved_at is not None
        ]
        incidents = list(self.incidents.values())
        ratings = [i.rating for i in incidents if i.rating is not None]
        counts = Counts(
            dispatched=len(self.assignments),
            acknowledged=len(acked),
            acknowledged_on_time=sum(done <= due for _, done, due in acked),
            resolved=len(resolved),
            resolved_on_time=sum(done <= due for _, done, due in resolved),
            incidents=len(incidents),
            incidents_resolved=sum(i.resolved for i in incidents),
            resolved_locally=sum(i.resolved_locally and i.resolved for i in incidents)
            + self.settled,
            rated=len(ratings),
            satisfied=ratings.count("satisfied"),
            basically_satisfied=ratings.count("basically_satisfied"),
            unsatisfied=ratings.count("unsatisfied"),
            extended=sum(a.extensions > 0 for a in self.assignments),
            extensions=sum(a.extensions for a in self.assignments),
            deliberated=self.settled,
        )
        to_ack = [(done - start).total_seconds() for start, done, _ in acked]
        to_resolve = [(done - start).total_seconds() for start, done, _ in resolved]
        if by == "department":
            resolution = _ratio(counts.resolved, counts.dispatched)
        else:
            resolution = _ratio(counts.incidents_resolved, counts.incidents)
        return Rates(
            key=key,
            period=period.label,
            counts=counts,
            response_rate=_ratio(counts.acknowledged, counts.dispatched),
            resolution_rate=resolution,
            satisfaction_rate=_ratio(counts.satisfied + counts.basically_satisfied, counts.rated),
            on_time_acknowledgement_rate=_ratio(counts.acknowledged_on_time, counts.dispatched),
            on_time_resolution_rate=_ratio(counts.resolved_on_time, counts.dispatched),
            median_seconds_to_acknowledge=percentile(to_ack, 50),
            p90_seconds_to_acknowledge=percentile(to_ack, 90),
            median_seconds_to_resolve=percentile(to_resolve, 50),
            p90_seconds_to_resolve=percentile(to_resolve, 90),
        )


def _key(by: Grouping) -> Callable[[AssignmentFacts | IncidentFacts | SettlementFacts], str]:
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    return lambda facts: getattr(facts, f"{by}_code")


def rates(
    facts: Iterable[IncidentFacts],
    by: Grouping,
    period: str | Period,
    settled: Iterable[SettlementFacts] = (),
) -> list[Rates]:
    """One Rates per department, community or street with work in the period, by key; a
    community or street whose only work was settled at deliberations has one too."""
    key = _key(by)
    when = period if isinstance(period, Period) else Period.parse(period)
    tallies: dict[str, _Tally] = {}
    for incident in facts:
        if not incident.counted:
            continue
        if by != "department" and incident.reported_at in when:
            tallies.setdefault(key(incident), _Tally()).incidents[incident.incident_id] = incident
        for assignment in incident.assignments:
            if assignment.counted and assignment.dispatched_at in when:
                tally = tallies.setdefault(key(assignment), _Tally())
                tally.assignments.append(assignment)
                if by == "department":
                    tally.incidents[incident.incident_id] = incident
    if by != "department":
        for settlement in settled:
            if settlement.settled_at in when:
                tallies.setdefault(key(settlement), _Tally()).settled += 1
    return [tallies[k].rates(k, when, by) for k in sorted(tallies)]


def trend(
    facts: Iterable[IncidentFacts],
    by: Grouping,
    key: str,
    periods: Iterable[str],
    settled: Iterable[SettlementFacts] = (),
) -> list[Rates]:
    """One key's rates over several periods, in the order given; empty periods give None rates."""
    facts, settled = list(facts), list(settled)
    series = []
    for label in periods:
        when = Period.parse(label)
        found = [r for r in rates(facts, by, when, settled) if r.key == key]
        series.append(found[0] if found else _Tally().rates(key, when, by))
    return series


@dataclass(frozen=True)
class RankedDepartment:
    rank: int
    department_code: str
    score: float
    rates: Rates
    missed: int = 0  # assignments of the quarter that missed a deadline (see red_black_list)


@dataclass(frozen=True)
class RedBlackList:
    quarter: str
    ranking: list[RankedDepartment]  # best first
    red: list[RankedDepartment]  # 红榜, best first
    black: list[RankedDepartment]  # 黑榜, worst first
    unranked: list[Rates]  # too little work or no ratings to be ranked fairly


def missed_deadline(a: AssignmentFacts, now: datetime) -> bool:
    """Signed for late, or not signed for by `now` past acknowledge_by; likewise resolved."""
    acknowledged = a.acknowledged_at or now
    resolved = a.resolved_at if a.resolved and a.resolved_at is not None else now
    return acknowledged > a.acknowledge_by or resolved > a.resolve_by


def red_black_list(
    facts: Iterable[IncidentFacts],
    quarter: str,
    k: int = 3,
    min_dispatched: int = 3,
    min_rated: int = 1,
    now: datetime | None = None,
) -> RedBlackList:
    """Departments that missed a deadline rank below every one that missed none, whatever
    their rates: the mean of three ratios left a department whose work sat overdue (so was
    never rated, so unranked) off the black list while one that met every deadline was on it.
    Such a department is ranked without ratings, on the rates it has. `now` (the quarter's end
    by default) is when work still open counts as overdue."""
    if "Q" not in quarter:
        raise ValueError(f"the red/black list is quarterly; {quarter!r} is not YYYY-Qn")
    period = Period.parse(quarter)
    facts = list(facts)
    missed: dict[str, int] = {}
    for assignment in (a for i in facts if i.counted for a in i.assignments):
        if (
            assignment.counted
            and assignment.dispatched_at in period
            and missed_deadline(assignment, now or period.end)
        ):
            missed[assignment.department_code] = missed.get(assignment.department_code, 0) + 1
    eligible: list[tuple[float, Rates]] = []
    unranked: list[Rates] = []
    for r in rates(facts, "department", period):
        candidates = (r.response_rate, r.resolution_rate, r.satisfaction_rate)
        three = [x for x in candidates if x is not None]
        rated = r.counts.rated >= min_rated and len(three) == 3  # all three defined
        if r.counts.dispatched >= min_dispatched and (rated or missed.get(r.key)):
            eligible.append((sum(three) / len(three), r))
        else:
            unranked.append(r)
    eligible.sort(
        key=lambda sr: (
            sr[1].key in missed,
            -sr[0],
            -(sr[1].on_time_resolution_rate or 0.0),
            sr[1].key,
        )
    )
    ranking = [
        RankedDepartment(n, r.key, s, r, missed.get(r.key, 0))
        for n, (s, r) in enumerate(eligible, start=1)
    ]
    side = min(k, len(ranking) // 2)
    return RedBlackList(
        quarter=quarter,
        ranking=ranking,
        red=ranking[:side],
        black=ranking[::-1][:side],
        unranked=unranked,
    )
