"""The three rates and the red/black list on a hand-built fixture whose answers were worked out
by hand (see the comment above each expectation)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from incidents.domain.rates import (
    AssignmentFacts,
    Counts,
    IncidentFacts,
    Period,
    SettlementFacts,
    percentile,
    rates,
    red_black_list,
    trend,
)

SH = timezone(timedelta(hours=8))  # Asia/Shanghai, written out so the test does not trust rates.py
STREET = {"taipingjie": "dunren", "yongxinglu": "yongchang"}
H = 3600


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def assignment(
    department: str,
    community: str,
    dispatched: datetime,
    status: str,
    acked_after: int | None = None,  # seconds after dispatch
    resolved_after: int | None = None,
) -> AssignmentFacts:
    """Every assignment here must be acknowledged within 1 h and resolved within 24 h."""
    return AssignmentFacts(
        department_code=department,
        community_code=community,
        street_code=STREET[community],
        dispatched_at=dispatched,
        acknowledge_by=dispatched + timedelta(hours=1),
        acknowledged_at=None
        if acked_after is None
        else dispatched + timedelta(seconds=acked_after),
        resolve_by=dispatched + timedelta(hours=24),
        resolved_at=None
        if resolved_after is None
        else dispatched + timedelta(seconds=resolved_after),
        status=status,
    )


def incident(
    incident_id: str,
    community: str,
    reported: datetime,
    status: str,
    *assignments: AssignmentFacts,
    ratings: tuple[str, ...] = (),
    resolved_locally: bool = False,
) -> IncidentFacts:
    resolved = status in {"resolved", "verified", "closed"}
    return IncidentFacts(
        incident_id=incident_id,
        community_code=community,
        street_code=STREET[community],
        reported_at=reported,
        status=status,
        resolved_at=reported + timedelta(days=3) if resolved else None,
        resolved_locally=resolved_locally,
        ratings=ratings,
        assignments=assignments,
    )


TPJ, YXL = "taipingjie", "yongxinglu"

# Three departments (power, housing, city management), two communities, twelve assignments.
# A1..A12 name the assignments in the comments below; times are seconds after dispatch.
FACTS = [
    # I1: power leads (A1: ack 600 s, resolved 12 h), housing co-handles (A2: ack 1800 s,
    # resolved at exactly 24 h = its deadline, so on time). Rated unsatisfied, then satisfied:
    # the last rating counts.
    incident(
        "I1",
        TPJ,
        at(11, 2, 8),
        "closed",
        assignment("power", TPJ, at(11, 2, 9), "resolved", 600, 12 * H),
        assignment("housing", TPJ, at(11, 2, 9), "resolved", 1800, 24 * H),
        ratings=("unsatisfied", "satisfied"),
    ),
    # I2: power acknowledges late (A3: 2 h > 1 h) and has not resolved yet. Not rated.
    incident(
        "I2",
        TPJ,
        at(11, 5, 8),
        "escalated",
        assignment("power", TPJ, at(11, 5, 9), "in_progress", 2 * H),
    ),
    # I3, the stilt floor: housing returns it, the coordinator reroutes it (A4, rerouted: counts
    # nowhere); city management acknowledges in 1200 s and resolves late, after 48 h (A5).
    incident(
        "I3",
        TPJ,
        at(11, 10, 8),
        "resolved",
        assignment("housing", TPJ, at(11, 10, 9), "rerouted"),
        assignment("city_management", TPJ, at(11, 10, 12), "resolved", 1200, 48 * H),
        ratings=("basically_satisfied",),
    ),
    # I4: city management resolved within the day, the grid found it not done, it was reopened
    # and resolved again after 30 h (A6): the last resolution counts, so late. Power: ack 1200 s,
    # resolved after 8 h (A7).
    incident(
        "I4",
        YXL,
        at(11, 15, 8),
        "verified",
        assignment("city_management", YXL, at(11, 15, 9), "resolved", 300, 30 * H),
        assignment("power", YXL, at(11, 15, 9), "resolved", 1200, 8 * H),
        ratings=("unsatisfied",),
    ),
    # I5: settled by the mediators, never escalated; still counts for Yongxinglu.
    incident("I5", YXL, at(11, 20, 8), "closed", resolved_locally=True, ratings=("satisfied",)),
    # I6: cancelled with its assignment (A8): counts nowhere.
    incident(
        "I6",
        YXL,
        at(11, 21, 8),
        "cancelled",
        assignment("city_management", YXL, at(11, 21, 9), "cancelled"),
    ),
    # I7: housing acknowledged in 2700 s, then returned it and nobody has rerouted it yet (A9:
    # counts against housing, unresolved); city management has not acknowledged (A10).
    incident(
        "I7",
        TPJ,
        at(11, 25, 8),
        "escalated",
        assignment("housing", TPJ, at(11, 25, 9), "returned", 2700),
        assignment("city_management", TPJ, at(11, 25, 9), "dispatched"),
    ),
    # I8: reported 30 Sep 23:30 Shanghai (Q3); power dispatched 16:10 UTC = 1 Oct 00:10 Shanghai
    # (Q4), ack 1800 s, resolved after 6 h (A11). Satisfied.
    incident(
        "I8",
        TPJ,
        at(9, 30, 23, 30),
        "closed",
        assignment(
            "power", TPJ, datetime(2026, 9, 30, 16, 10, tzinfo=UTC), "resolved", 1800, 6 * H
        ),
        ratings=("satisfied",),
    ),
    # I9: reported at the first instant of 2027 in Shanghai (still 2026 in UTC): Q1 2027, as is
    # its assignment (A12), not acknowledged.
    incident(
        "I9",
        TPJ,
        datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
        "escalated",
        assignment("power", TPJ, at(1, 1, 0, 5, year=2027), "dispatched"),
    ),
]


def by_key(found: list) -> dict:
    return {r.key: r for r in found}


def test_rates_come_one_per_department_or_community_in_code_order() -> None:
    assert [r.key for r in rates(FACTS, "department", "2026-Q4")] == [
        "city_management",
        "housing",
        "power",
    ]
    assert [r.key for r in rates(FACTS, "community", "2026-Q4")] == [TPJ, YXL]


# What each department and community counts in 2026-Q4, and its figures, worked out by hand.
Q4 = [
    pytest.param(
        "department",
        "power",
        # A1, A3, A7, A11 (A12 is 2027); all acknowledged, A3 late; A1, A7, A11 resolved, on
        # time. Its incidents I1, I2, I4, I8: resolved I1, I4, I8; rated I1 satisfied (its last
        # rating), I4 unsatisfied, I8 satisfied.
        Counts(
            dispatched=4,
            acknowledged=4,
            acknowledged_on_time=3,
            resolved=3,
            resolved_on_time=3,
            incidents=4,
            incidents_resolved=3,
            rated=3,
            satisfied=2,
            unsatisfied=1,
        ),
        {
            "response_rate": 1.0,  # 4/4
            "resolution_rate": 0.75,  # 3/4 assignments
            "satisfaction_rate": pytest.approx(2 / 3),
            "on_time_acknowledgement_rate": 0.75,  # 3/4
            "on_time_resolution_rate": 0.75,  # 3/4
            # To acknowledge: [600, 1200, 1800, 7200]; nearest rank: median 2nd, p90 ceil(3.6).
            "median_seconds_to_acknowledge": 1200,
            "p90_seconds_to_acknowledge": 7200,
            # To resolve: [21600, 28800, 43200]; median = ceil(1.5) = 2nd, p90 = ceil(2.7) = 3rd.
            "median_seconds_to_resolve": 28800,
            "p90_seconds_to_resolve": 43200,
        },
        id="department-power",
    ),
    pytest.param(
        "department",
        "housing",
        # A2 and A9 (A4 was rerouted away): both acknowledged on time; A2 resolved at its
        # deadline (on time), A9 returned and unresolved. Its incidents I1 (satisfied) and I7;
        # not I3.
        Counts(
            dispatched=2,
            acknowledged=2,
            acknowledged_on_time=2,
            resolved=1,
            resolved_on_time=1,
            incidents=2,
            incidents_resolved=1,
            rated=1,
            satisfied=1,
        ),
        {
            "response_rate": 1.0,
            "resolution_rate": 0.5,
            "satisfaction_rate": 1.0,
            "on_time_resolution_rate": 0.5,
            "median_seconds_to_acknowledge": 1800,  # [1800, 2700]: the lower middle
            "p90_seconds_to_acknowledge": 2700,
            "median_seconds_to_resolve": 86400,
            "p90_seconds_to_resolve": 86400,
        },
        id="department-housing",
    ),
    pytest.param(
        "department",
        "city_management",
        # A5, A6, A10 (A8 cancelled): A5 and A6 acknowledged on time, both resolved late; A10
        # not acknowledged. Incidents I3 (basically satisfied), I4 (unsatisfied), I7 (open).
        Counts(
            dispatched=3,
            acknowledged=2,
            acknowledged_on_time=2,
            resolved=2,
            resolved_on_time=0,
            incidents=3,
            incidents_resolved=2,
            rated=2,
            basically_satisfied=1,
            unsatisfied=1,
        ),
        {
            "response_rate": pytest.approx(2 / 3),
            "resolution_rate": pytest.approx(2 / 3),
            "satisfaction_rate": 0.5,  # basically satisfied counts as satisfied: 1/2
            "on_time_resolution_rate": 0.0,  # measured and zero, not missing
            "median_seconds_to_acknowledge": 300,
            "p90_seconds_to_acknowledge": 1200,
            "median_seconds_to_resolve": 108000,
            "p90_seconds_to_resolve": 172800,
        },
        id="department-city_management",
    ),
    pytest.param(
        "community",
        TPJ,
        # Incidents reported in Q4: I1, I2, I3, I7 (I8 is Q3, I9 is 2027); resolved I1, I3;
        # rated I1 satisfied, I3 basically satisfied. Assignments dispatched in Q4: A1, A2, A3,
        # A5, A9, A10, A11 (A11's incident is Q3, its dispatch Q4); acknowledged all but A10,
        # late A3; resolved A1, A2, A11 on time, A5 late.
        Counts(
            dispatched=7,
            acknowledged=6,
            acknowledged_on_time=5,
            resolved=4,
            resolved_on_time=3,
            incidents=4,
            incidents_resolved=2,
            rated=2,
            satisfied=1,
            basically_satisfied=1,
        ),
        {
            "resolution_rate": 0.5,  # incidents: 2/4
            "satisfaction_rate": 1.0,  # 2/2
            "response_rate": pytest.approx(6 / 7),
            "on_time_acknowledgement_rate": pytest.approx(5 / 7),
            "on_time_resolution_rate": pytest.approx(3 / 7),
            # [600, 1200, 1800, 1800, 2700, 7200]: median 3rd, p90 ceil(5.4) = 6th.
            "median_seconds_to_acknowledge": 1800,
            "p90_seconds_to_acknowledge": 7200,
            # [21600, 43200, 86400, 172800]: median 2nd, p90 ceil(3.6) = 4th.
            "median_seconds_to_resolve": 43200,
            "p90_seconds_to_resolve": 172800,
        },
        id="community-taipingjie",
    ),
    pytest.param(
        "community",
        YXL,
        # I4 and the locally resolved I5 (I6 cancelled): both resolved; ratings unsatisfied and
        # satisfied. Assignments A6 (late) and A7 (on time), both acknowledged on time.
        Counts(
            dispatched=2,
            acknowledged=2,
            acknowledged_on_time=2,
            resolved=2,
            resolved_on_time=1,
            incidents=2,
            incidents_resolved=2,
            resolved_locally=1,
            rated=2,
            satisfied=1,
            unsatisfied=1,
        ),
        {
            "response_rate": 1.0,
            "resolution_rate": 1.0,
            "satisfaction_rate": 0.5,
            "on_time_resolution_rate": 0.5,
        },
        id="community-yongxinglu",
    ),
]


@pytest.mark.parametrize(("by", "key", "counts", "figures"), Q4)
def test_rates_in_the_quarter(by: str, key: str, counts: Counts, figures: dict) -> None:
    [found] = [r for r in rates(FACTS, by, "2026-Q4") if r.key == key]  # type: ignore[arg-type]
    assert found.counts == counts
    assert {name: getattr(found, name) for name in figures} == figures


def test_street_rates_group_the_same_facts_by_street() -> None:
    streets = by_key(rates(FACTS, "street", "2026-Q4"))
    communities = by_key(rates(FACTS, "community", "2026-Q4"))
    # One community per street in the fixture, so the figures are the communities'.
    assert streets["dunren"].counts == communities[TPJ].counts
    assert streets["yongchang"].counts == communities[YXL].counts


# Matters deliberations settled locally (议事就地化解): two in Yongxinglu in Q4 (one on the
# quarter's last minute in Shanghai, 31 Dec 15:59 UTC), one in Q1 2027 (1 Jan 00:00 Shanghai),
# and one in Longze, a community with no incident at all.
SETTLED = [
    SettlementFacts(YXL, STREET[YXL], at(10, 20, 19)),
    SettlementFacts(YXL, STREET[YXL], datetime(2026, 12, 31, 15, 59, tzinfo=UTC)),
    SettlementFacts(YXL, STREET[YXL], at(1, 1, 0, year=2027)),
    SettlementFacts("longze", "longze_street", at(11, 3, 10)),
]


def test_a_deliberations_settlement_counts_as_a_local_resolution_and_not_in_the_rates() -> None:
    without = by_key(rates(FACTS, "community", "2026-Q4"))
    found = by_key(rates(FACTS, "community", "2026-Q4", SETTLED))
    yxl = found[YXL]
    # I5 resolved locally, and the two Q4 settlements: 3 local resolutions, 2 deliberated.
    assert (yxl.counts.resolved_locally, yxl.counts.deliberated) == (3, 2)
    # Nothing else moves: the same incidents, the same three rates.
    assert replace(yxl.counts, resolved_locally=1, deliberated=0) == without[YXL].counts
    assert (yxl.resolution_rate, yxl.satisfaction_rate, yxl.response_rate) == (
        without[YXL].resolution_rate,
        without[YXL].satisfaction_rate,
        without[YXL].response_rate,
    )
    assert found[TPJ] == without[TPJ]
    # A community whose only work was a deliberation's settlement is listed, its rates None.
    longze = found["longze"]
    assert (longze.counts.resolved_locally, longze.counts.deliberated) == (1, 1)
    assert longze.counts.incidents == 0 and longze.resolution_rate is None
    # By street the same; a department never counts one.
    assert by_key(rates(FACTS, "street", "2026-Q4", SETTLED))["yongchang"].counts.deliberated == 2
    assert rates(FACTS, "department", "2026-Q4", SETTLED) == rates(FACTS, "department", "2026-Q4")


def test_a_settlement_belongs_to_the_period_it_was_settled_in() -> None:
    series = trend(FACTS, "community", YXL, ["2026-10", "2026-11", "2026-12", "2027-01"], SETTLED)
    assert [r.counts.deliberated for r in series] == [1, 0, 1, 1]


def test_period_boundaries_are_shanghai_time() -> None:
    # A11 was dispatched on 30 Sep in UTC but 1 Oct in Shanghai: October, not September.
    assert rates(FACTS, "department", "2026-09") == []
    [october] = rates(FACTS, "department", "2026-10")
    assert (october.key, october.counts.dispatched) == ("power", 1)
    # I8 was reported on 30 Sep in Shanghai: Taipingjie's Q3 holds it (resolved, satisfied) but
    # no assignment, so the assignment figures are None, not a division by zero.
    [q3] = rates(FACTS, "community", "2026-Q3")
    assert (q3.counts.incidents, q3.resolution_rate, q3.satisfaction_rate) == (1, 1.0, 1.0)
    assert q3.response_rate is None
    assert q3.on_time_acknowledgement_rate is None
    assert q3.median_seconds_to_acknowledge is None and q3.p90_seconds_to_resolve is None
    # I9 was reported at 2027-01-01 00:00 Shanghai (the start is inside), A12 a little later.
    [q1_community] = rates(FACTS, "community", "2027-Q1")
    assert (q1_community.counts.incidents, q1_community.resolution_rate) == (1, 0.0)
    [q1_power] = rates(FACTS, "department", "2027-Q1")
    assert (q1_power.response_rate, q1_power.satisfaction_rate) == (0.0, None)


def test_no_facts_give_no_rates() -> None:
    assert rates([], "department", "2026-Q4") == []


def test_an_assignment_reopened_and_not_yet_resolved_again_is_not_resolved() -> None:
    dispatched = at(12, 1, 9)
    reopened = AssignmentFacts(
        department_code="power",
        community_code=TPJ,
        street_code="dunren",
        dispatched_at=dispatched,
        acknowledge_by=dispatched + timedelta(hours=1),
        acknowledged_at=dispatched + timedelta(minutes=5),
        resolve_by=dispatched + timedelta(hours=24),
        resolved_at=dispatched + timedelta(hours=3),  # its first resolution, since reopened
        status="in_progress",
    )
    [power] = rates(
        [incident("I10", TPJ, at(12, 1, 8), "escalated", reopened)], "department", "2026-12"
    )
    assert (power.counts.resolved, power.resolution_rate) == (0, 0.0)
    assert power.median_seconds_to_resolve is None


def test_trend_gives_one_entry_per_period_even_when_empty() -> None:
    series = trend(FACTS, "department", "power", ["2026-09", "2026-10", "2026-11", "2026-12"])
    assert [r.period for r in series] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    # September and December: nothing; October: A11; November: A1, A3, A7 (A3 unresolved).
    assert [r.counts.dispatched for r in series] == [0, 1, 3, 0]
    assert [r.resolution_rate for r in series] == [None, 1.0, pytest.approx(2 / 3), None]
    assert all(r.key == "power" for r in series)


def test_red_black_list_ranks_departments_with_enough_work() -> None:
    board = red_black_list(FACTS, "2026-Q4", k=1)
    # power: (1 + 3/4 + 2/3) / 3 = 29/36; city management: (2/3 + 2/3 + 1/2) / 3 = 11/18.
    # Housing has 2 assignments, fewer than the default minimum of 3: unranked.
    assert [(d.rank, d.department_code) for d in board.ranking] == [
        (1, "power"),
        (2, "city_management"),
    ]
    assert board.ranking[0].score == pytest.approx(29 / 36)
    assert board.ranking[1].score == pytest.approx(11 / 18)
    assert [d.department_code for d in board.red] == ["power"]
    assert [d.department_code for d in board.black] == ["city_management"]
    assert [r.key for r in board.unranked] == ["housing"]


def test_red_and_black_never_share_a_department() -> None:
    # With the minimum lowered, housing ranks first: (1 + 1/2 + 1) / 3 = 5/6 > 29/36. Three
    # ranked, k=3: each list takes at most 3 // 2 = 1, so power, in the middle, is on neither.
    board = red_black_list(FACTS, "2026-Q4", k=3, min_dispatched=2)
    assert [d.department_code for d in board.ranking] == ["housing", "power", "city_management"]
    assert [d.department_code for d in board.red] == ["housing"]
    assert [d.department_code for d in board.black] == ["city_management"]


def test_ties_go_to_the_better_on_time_resolution() -> None:
    def one(department: str, resolved_after: int) -> IncidentFacts:
        a = assignment(department, TPJ, at(11, 3, 9), "resolved", 60, resolved_after)
        return incident(department, TPJ, at(11, 3, 8), "closed", a, ratings=("satisfied",))

    # Both score (1 + 1 + 1) / 3 = 1; "late" resolved after 25 h > 24 h, "prompt" after 1 h.
    board = red_black_list(
        [one("a_late", 25 * H), one("b_prompt", H)], "2026-Q4", k=1, min_dispatched=1
    )
    assert [d.department_code for d in board.ranking] == ["b_prompt", "a_late"]


def test_a_department_without_ratings_is_not_ranked_while_it_misses_no_deadline() -> None:
    # A12 is due to be signed for at 01:05 on 1 January 2027; at 01:30 it is overdue.
    early = red_black_list(FACTS, "2027-Q1", min_dispatched=1, now=at(1, 1, 0, 30, year=2027))
    assert early.ranking == [] and early.red == [] and early.black == []
    assert [r.key for r in early.unranked] == ["power"]
    late = red_black_list(FACTS, "2027-Q1", min_dispatched=1, now=at(1, 1, 1, 30, year=2027))
    assert [(d.department_code, d.missed) for d in late.ranking] == [("power", 1)]
    assert late.ranking[0].score == 0.0  # nothing acknowledged, nothing resolved


def test_a_department_that_missed_deadlines_ranks_below_one_that_missed_none() -> None:
    """Issue #15: one with two overdue assignments was off the black list (never rated, so
    unranked) while one that met every deadline, but was rated unsatisfied, was on it."""

    def prompt(n: int) -> IncidentFacts:
        a = assignment("prompt", TPJ, at(11, 3 + n, 9), "resolved", 60, H)
        return incident(f"P{n}", TPJ, at(11, 3 + n, 8), "closed", a, ratings=("unsatisfied",))

    def overdue(n: int) -> IncidentFacts:
        a = assignment("overdue", TPJ, at(11, 3 + n, 9), "dispatched")
        return incident(f"O{n}", TPJ, at(11, 3 + n, 8), "escalated", a)

    facts = [prompt(1), prompt(2), overdue(1), overdue(2), *FACTS]
    board = red_black_list(facts, "2026-Q4", k=1, min_dispatched=2, now=at(12, 1, 0))
    assert board.ranking[0].department_code == "prompt"
    assert [d.department_code for d in board.red] == ["prompt"]
    assert [(d.department_code, d.missed) for d in board.black] == [("overdue", 2)]


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2026-Q4", datetime(2026, 10, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH)),
        ("2026-Q1", datetime(2026, 1, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH)),
        ("2026-12", datetime(2026, 12, 1, tzinfo=SH), datetime(2027, 1, 1, tzinfo=SH)),
        ("2026-02", datetime(2026, 2, 1, tzinfo=SH), datetime(2026, 3, 1, tzinfo=SH)),
    ],
)
def test_periods_are_half_open_in_shanghai_time(label: str, start: datetime, end: datetime) -> None:
    period = Period.parse(label)
    assert (period.start, period.end) == (start, end)
    assert start in period and end not in period
    assert end - timedelta(microseconds=1) in period


@pytest.mark.parametrize("label", ["2026-Q5", "2026-Q0", "2026-13", "2026-1", "Q4-2026", ""])
def test_a_malformed_period_is_refused(label: str) -> None:
    with pytest.raises(ValueError, match="period"):
        Period.parse(label)


def test_what_the_functions_refuse() -> None:
    with pytest.raises(ValueError, match="quarterly"):
        red_black_list(FACTS, "2026-11")
    with pytest.raises(ValueError, match="by must be"):
        rates(FACTS, "grid", "2026-Q4")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):
        _ = datetime(2026, 11, 1) in Period.parse("2026-Q4")


def test_percentile_is_nearest_rank() -> None:
    ten = [10.0, 1.0, 9.0, 2.0, 8.0, 3.0, 7.0, 4.0, 6.0, 5.0]
    assert percentile(ten, 50) == 5.0  # ceil(5) = 5th
    assert percentile(ten, 90) == 9.0  # ceil(9) = 9th
    assert percentile(ten, 95) == 10.0  # ceil(9.5) = 10th
    assert percentile(ten, 0) == 1.0
    assert percentile([42.0], 90) == 42.0
    assert percentile([], 50) is None
