"""Deadlines, breaches and the supervision ladder, on a clock the tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import uuid4

import pytest

from incidents.domain import events
from incidents.domain.deadlines import (
    LADDER,
    Deadline,
    DeadlineKind,
    Rung,
    Timer,
    acknowledge_deadline,
    resolve_deadline,
    timers,
)
from incidents.domain.incident import Incident
from incidents.domain.routing import DEFAULT_SERVICE_LEVELS, ServiceLevel
from lianxin.errors import RuleBroken

if TYPE_CHECKING:
    from conftest import Clock, ReportFactory

START = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)  # the clock fixture's start
COMPLEX = DEFAULT_SERVICE_LEVELS["complex"]
MINUTE = timedelta(minutes=1)


def test_the_deadlines_count_from_dispatch() -> None:
    assert acknowledge_deadline(START, COMPLEX) == Deadline(
        DeadlineKind.ACKNOWLEDGE, START + timedelta(minutes=30), timedelta(minutes=30)
    )
    assert resolve_deadline(START, COMPLEX).due_at == START + timedelta(days=15)


def test_the_ladder_climbs_one_rung_per_period_past_the_deadline() -> None:
    deadline = resolve_deadline(START, COMPLEX)
    assert [deadline.rung_due_at(r) for r in LADDER] == [
        START + timedelta(days=15),
        START + timedelta(days=30),
        START + timedelta(days=45),
    ]
    assert deadline.rungs_due(START + timedelta(days=15) - MINUTE) == []
    assert deadline.rungs_due(START + timedelta(days=15)) == [Rung.COMMUNITY]
    assert deadline.rungs_due(START + timedelta(days=31)) == [Rung.COMMUNITY, Rung.STREET]
    assert deadline.rungs_due(START + timedelta(days=99), reached=Rung.COMMUNITY) == [
        Rung.STREET,
        Rung.DISTRICT_SUPERVISION,
    ]


def test_the_ladder_goes_community_street_district() -> None:
    assert [r.label for r in LADDER] == ["community", "street", "district_supervision"]


def test_meeting_a_deadline_at_the_very_instant_is_on_time() -> None:
    deadline = acknowledge_deadline(START, COMPLEX)
    assert not deadline.is_late(deadline.due_at)
    assert deadline.is_late(deadline.due_at + MINUTE)


def test_one_timer_row_per_deadline_and_rung() -> None:
    assignment_id = uuid4()
    ack = acknowledge_deadline(START, COMPLEX)
    rows = timers(assignment_id, [ack])
    assert rows == [
        Timer(assignment_id, DeadlineKind.ACKNOWLEDGE, START + 30 * MINUTE, Rung.COMMUNITY),
        Timer(assignment_id, DeadlineKind.ACKNOWLEDGE, START + 60 * MINUTE, Rung.STREET),
        Timer(
            assignment_id, DeadlineKind.ACKNOWLEDGE, START + 90 * MINUTE, Rung.DISTRICT_SUPERVISION
        ),
    ]


def _escalated(report: ReportFactory, clock: Clock, **kwargs: object) -> Incident:
    incident = report(**kwargs)
    incident.escalate(["power_supply"], "power_supply", "coordinator", clock.now)
    return incident


def test_dispatch_carries_the_deadlines(report: ReportFactory, clock: Clock) -> None:
    incident = _escalated(report, clock)
    [dispatched] = [e for e in incident.events if isinstance(e, events.AssignmentDispatched)]
    assert dispatched.acknowledge_by == START + timedelta(minutes=30)
    assert dispatched.resolve_by == START + timedelta(hours=24)  # utilities


def test_the_alliances_service_level_overrides_the_default(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report()
    level = ServiceLevel(timedelta(minutes=10), timedelta(hours=6))
    incident.escalate(["power_supply"], "power_supply", "c", clock.now, service_level=level)
    assert incident.assignments[0].acknowledge_by == START + timedelta(minutes=10)
    assert incident.assignments[0].resolve_by == START + timedelta(hours=6)


def test_an_incident_lists_the_timer_rows_of_its_open_deadlines(
    report: ReportFactory, clock: Clock
) -> None:
    incident = _escalated(report, clock)
    assignment = incident.assignments[0]
    assert {(t.kind, t.rung) for t in incident.timers()} == {
        (kind, rung) for kind in DeadlineKind for rung in LADDER
    }
    incident.acknowledge(assignment.id, "power_supply", "", clock.now)
    assert {t.kind for t in incident.timers()} == {DeadlineKind.RESOLVE}
    incident.report_result(assignment.id, "power_supply", "fixed", clock.now)
    assert incident.timers() == []


def test_a_whistle_not_signed_for_climbs_to_district_supervision(
    report: ReportFactory, clock: Clock
) -> None:
    incident = _escalated(report, clock)
    assignment = incident.assignments[0]
    incident.events.clear()
    lines = len(incident.timeline)

    assert incident.on_timer(assignment.id, "acknowledge", clock.advance(29 * MINUTE)) == 0
    assert incident.on_timer(assignment.id, "acknowledge", clock.advance(MINUTE)) == 1
    assert incident.on_timer(assignment.id, "acknowledge", clock.advance(30 * MINUTE)) == 1
    assert incident.on_timer(assignment.id, "acknowledge", clock.advance(30 * MINUTE)) == 1
    # Nothing is above the district.
    assert incident.on_timer(assignment.id, "acknowledge", clock.advance(timedelta(hours=9))) == 0

    assert [t.action for t in incident.timeline[lines:]] == [
        "overdue",
        "ladder_climbed",
        "ladder_climbed",
    ]
    assert [t.detail.rsplit("→ ", 1)[1] for t in incident.timeline[lines:]] == [
        "community",
        "street",
        "district_supervision",
    ]
    [overdue] = [e for e in incident.events if isinstance(e, events.AssignmentOverdue)]
    assert (overdue.kind, overdue.due_at) == ("acknowledge", START + 30 * MINUTE)
    climbed = [e for e in incident.events if isinstance(e, events.LadderClimbed)]
    assert [c.rung for c in climbed] == ["community", "street", "district_supervision"]


def test_a_breach_is_recorded_once_however_often_its_timer_fires(
    report: ReportFactory, clock: Clock
) -> None:
    incident = _escalated(report, clock)
    assignment = incident.assignments[0]
    now = clock.advance(timedelta(minutes=31))
    assert incident.record_breach(assignment.id, "acknowledge", now) is True
    lines, emitted = len(incident.timeline), len(incident.events)
    assert incident.record_breach(assignment.id, "acknowledge", now) is False
    assert incident.on_timer(assignment.id, "acknowledge", now) == 0
    assert (len(incident.timeline), len(incident.events)) == (lines, emitted)


def test_a_rung_is_climbed_once(report: ReportFactory, clock: Clock) -> None:
    incident = _escalated(report, clock)
    assignment = incident.assignments[0]
    incident.record_breach(assignment.id, "acknowledge", clock.advance(timedelta(minutes=30)))
    assert incident.climb_ladder(assignment.id, "acknowledge", Rung.STREET, clock.now) is False
    now = clock.advance(timedelta(minutes=30))
    assert incident.climb_ladder(assignment.id, "acknowledge", Rung.STREET, now) is True
    assert incident.climb_ladder(assignment.id, "acknowledge", Rung.STREET, now) is False


def test_the_ladder_is_climbed_in_order(report: ReportFactory, clock: Clock) -> None:
    incident = _escalated(report, clock)
    assignment = incident.assignments[0]
    now = clock.advance(timedelta(hours=3))
    with pytest.raises(RuleBroken) as broken:
        incident.climb_ladder(assignment.id, "acknowledge", Rung.DISTRICT_SUPERVISION, now)
    assert broken.value.field == "rung"
    with pytest.raises(RuleBroken):
        incident.climb_ladder(assignment.id, "acknowledge", Rung.COMMUNITY, now)
    # A timer that wakes up late catches up, one visible step each, bottom up.
    assert incident.on_timer(assignment.id, "acknowledge", now) == 3
    assert [t.action for t in incident.timeline[-3:]] == [
        "overdue",
        "ladder_climbed",
        "ladder_climbed",
    ]


def test_a_met_deadline_does_not_breach(report: ReportFactory, clock: Clock) -> None:
    incident = _escalated(report, clock)
    assignment = incident.assignments[0]
    incident.acknowledge(assignment.id, "power_supply", "", clock.advance(10 * MINUTE))
    lines = len(incident.timeline)
    assert incident.on_timer(assignment.id, "acknowledge", clock.advance(timedelta(hours=2))) == 0
    assert len(incident.timeline) == lines


def test_a_late_acknowledgement_is_recorded_as_late(report: ReportFactory, clock: Clock) -> None:
    incident = _escalated(report, clock)
    assignment = incident.assignments[0]
    incident.acknowledge(assignment.id, "power_supply", "已接单", clock.advance(2 * 60 * MINUTE))
    assert incident.timeline[-1].detail == "已接单 (late)"
    acknowledged = incident.events[-1]
    assert isinstance(acknowledged, events.DepartmentAcknowledged) and acknowledged.late


def test_a_timer_for_an_unknown_assignment_or_kind_is_refused(
    report: ReportFactory, clock: Clock
) -> None:
    incident = _escalated(report, clock)
    with pytest.raises(RuleBroken) as broken:
        incident.on_timer(uuid4(), "acknowledge", clock.now)
    assert broken.value.field == "assignment_id"
    with pytest.raises(RuleBroken) as broken:
        incident.on_timer(incident.assignments[0].id, "whenever", clock.now)
    assert broken.value.field == "kind"


def test_an_emergencys_ladder_is_flagged_wartime(report: ReportFactory, clock: Clock) -> None:
    incident = _escalated(report, clock, urgency="emergency", category="fire")
    assignment = incident.assignments[0]
    incident.acknowledge(assignment.id, "power_supply", "", clock.now)
    incident.on_timer(assignment.id, "resolve", clock.advance(timedelta(hours=2)))
    climbed = incident.events[-1]
    assert isinstance(climbed, events.LadderClimbed) and climbed.wartime
    assert "(wartime)" in incident.timeline[1].detail
