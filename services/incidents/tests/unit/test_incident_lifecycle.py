"""An incident's lifecycle, without I/O."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from incidents.domain import events
from incidents.domain.incident import Incident
from incidents.domain.values import AssignmentStatus, IncidentStatus, ReporterKind
from lianxin.errors import Conflict, RuleBroken

if TYPE_CHECKING:
    from conftest import Clock, ReportFactory

NOW = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)


def _transformer(urgency: str = "utilities") -> Incident:
    return Incident.report(
        community_code="taipingjie",
        micro_grid_code="tpj-g01-m01",
        grid_path=["tpj-g01", "tpj-g01-m01"],
        category="power_supply",
        urgency=urgency,
        description="变压器故障",
        affected_households=288,
        reporter="micro_grid_leader",
        now=NOW,
    )


def test_escalating_dispatches_one_assignment_per_department_lead_first() -> None:
    incident = _transformer()
    incident.escalate(["property", "power_supply"], "power_supply", "coordinator", NOW)
    assert incident.status is IncidentStatus.ESCALATED
    assert [(a.department_code, a.lead) for a in incident.assignments] == [
        ("power_supply", True),
        ("property", False),
    ]
    dispatched = [e for e in incident.events if isinstance(e, events.AssignmentDispatched)]
    assert [d.department_code for d in dispatched] == ["power_supply", "property"]
    [escalated] = [e for e in incident.events if isinstance(e, events.IncidentEscalated)]
    assert escalated.wartime is False and escalated.grid_path == ["tpj-g01", "tpj-g01-m01"]


def test_an_emergency_is_wartime() -> None:
    assert _transformer("emergency").wartime
    assert not _transformer("general").wartime


def test_the_incident_resolves_only_when_every_assignment_has() -> None:
    incident = _transformer()
    incident.escalate(["power_supply", "property"], "power_supply", "coordinator", NOW)
    power, prop = incident.assignments
    incident.acknowledge(power.id, "power_supply", "已接单", NOW)
    incident.report_result(power.id, "power_supply", "换了变压器", NOW)
    assert incident.status is IncidentStatus.ESCALATED
    incident.report_result(prop.id, "property", "清理了配电房", NOW)
    assert incident.status is IncidentStatus.RESOLVED
    assert isinstance(incident.events[-1], events.IncidentResolved)
    assert [t.action for t in incident.timeline] == [
        "reported",
        "escalated",
        "acknowledged",
        "assignment_resolved",
        "assignment_resolved",
        "resolved",
    ]


def test_a_department_cannot_act_on_another_departments_assignment() -> None:
    incident = _transformer()
    incident.escalate(["power_supply"], "power_supply", "coordinator", NOW)
    with pytest.raises(RuleBroken, match="another department"):
        incident.acknowledge(incident.assignments[0].id, "police", "", NOW)
    assert incident.assignments[0].status is AssignmentStatus.DISPATCHED


@pytest.mark.parametrize(
    ("departments", "lead", "field"),
    [
        ([], "", "department_codes"),
        (["a", "a"], "a", "department_codes"),
        (["a", " "], "a", "department_codes"),
        (["a"], "b", "lead_department_code"),
    ],
)
def test_a_bad_escalation_names_its_field(departments, lead, field) -> None:
    with pytest.raises(RuleBroken) as broken:
        _transformer().escalate(departments, lead, "coordinator", NOW)
    assert broken.value.field == field


def test_an_incident_is_escalated_once_and_signed_for_once() -> None:
    incident = _transformer()
    incident.escalate(["power_supply"], "power_supply", "coordinator", NOW)
    with pytest.raises(Conflict):
        incident.escalate(["power_supply"], "power_supply", "coordinator", NOW)
    assignment = incident.assignments[0]
    incident.acknowledge(assignment.id, "power_supply", "", NOW)
    with pytest.raises(Conflict):
        incident.acknowledge(assignment.id, "power_supply", "", NOW)


def test_an_unknown_urgency_is_refused() -> None:
    with pytest.raises(RuleBroken) as broken:
        _transformer("whenever")
    assert broken.value.field == "urgency"


# The full lifecycle: every transition, on the fixtures' clock.


def _escalate(incident: Incident, *codes: str, now: datetime = NOW) -> None:
    incident.escalate(list(codes), codes[0], "coordinator", now)


def _resolve_all(incident: Incident, now: datetime = NOW) -> None:
    for a in incident.assignments:
        if a.required and a.status is not AssignmentStatus.RESOLVED:
            incident.report_result(a.id, a.department_code, "done", now)


def _new_events(incident: Incident, before: int) -> list[type]:
    return [type(e) for e in incident.events[before:]]


def test_a_report_keeps_what_the_grid_saw(report: ReportFactory) -> None:
    incident = report(photos=["s3://photos/1.jpg"], reporter_kind="party_household")
    assert incident.affected_merchants == 50
    assert incident.photos == ["s3://photos/1.jpg"]
    assert incident.reporter_kind is ReporterKind.PARTY_HOUSEHOLD
    assert incident.reporter == "micro_grid_leader"
    assert [t.action for t in incident.timeline] == ["reported"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"affected_households": -1}, "affected_households"),
        ({"affected_merchants": -1}, "affected_merchants"),
        ({"photos": ["  "]}, "photos"),
        ({"reporter_kind": "passer_by"}, "reporter_kind"),
    ],
)
def test_a_bad_report_names_its_field(
    report: ReportFactory, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(RuleBroken) as broken:
        report(**overrides)
    assert broken.value.field == field


def test_triage_accepts_and_then_the_incident_can_be_escalated(report: ReportFactory) -> None:
    incident = report()
    incident.triage(True, "", "community_coordinator", NOW)
    assert incident.status is IncidentStatus.ACCEPTED
    assert isinstance(incident.events[-1], events.IncidentTriaged)
    assert incident.events[-1].accepted
    with pytest.raises(Conflict):
        incident.triage(True, "", "community_coordinator", NOW)
    _escalate(incident, "power_supply")
    assert incident.status is IncidentStatus.ESCALATED


def test_triage_rejects_with_a_reason_and_that_is_final(report: ReportFactory) -> None:
    incident = report()
    with pytest.raises(RuleBroken) as broken:
        incident.triage(False, " ", "coordinator", NOW)
    assert broken.value.field == "reason"
    incident.triage(False, "not a grid matter: private contract", "coordinator", NOW)
    assert incident.status is IncidentStatus.REJECTED
    assert incident.status_reason == "not a grid matter: private contract"
    assert incident.timeline[-1].action == "rejected"
    for command in (
        lambda: _escalate(incident, "power_supply"),
        lambda: incident.resolve_locally("x", "grid", NOW),
        lambda: incident.cancel("x", "grid", NOW),
    ):
        with pytest.raises(Conflict):
            command()


def test_small_matters_are_resolved_locally_verified_and_closed(report: ReportFactory) -> None:
    incident = report(category="noise", urgency="general")
    with pytest.raises(RuleBroken) as broken:
        incident.resolve_locally("", "mediator", NOW)
    assert broken.value.field == "result"
    incident.resolve_locally("和事佬 mediated at the little wooden house", "mediator", NOW)
    assert incident.status is IncidentStatus.RESOLVED and incident.resolved_locally
    assert incident.assignments == []
    incident.verify("grid_leader", "quiet now", NOW)
    incident.follow_up("satisfied", "", "resident", NOW)
    assert incident.status is IncidentStatus.CLOSED
    assert [t.action for t in incident.timeline] == [
        "reported",
        "resolved_locally",
        "verified",
        "closed",
    ]
    assert _new_events(incident, 1) == [
        events.IncidentResolvedLocally,
        events.IncidentVerified,
        events.FollowedUp,
        events.IncidentClosed,
    ]


def test_an_unsatisfied_resident_sends_a_local_matter_back_to_the_grid(
    report: ReportFactory,
) -> None:
    incident = report(category="noise", urgency="general")
    incident.resolve_locally("talked to them", "mediator", NOW)
    incident.verify("grid_leader", "", NOW)
    incident.follow_up("unsatisfied", "still loud at night", "resident", NOW)
    assert incident.status is IncidentStatus.ACCEPTED
    assert not incident.resolved_locally and incident.resolved_at is None
    reopened = incident.events[-1]
    assert isinstance(reopened, events.IncidentReopened) and reopened.assignment_ids == []
    # Now it may be whistled out after all.
    _escalate(incident, "police")
    assert incident.status is IncidentStatus.ESCALATED


def test_a_department_works_through_its_assignment(report: ReportFactory, clock: Clock) -> None:
    incident = report()
    _escalate(incident, "power_supply")
    [a] = incident.assignments
    with pytest.raises(Conflict):
        incident.handle(a.id, "power_supply", "", clock.now)  # not signed for yet
    incident.acknowledge(a.id, "power_supply", "已接单", clock.advance(timedelta(minutes=5)))
    incident.handle(a.id, "power_supply", "crew on site", clock.advance(timedelta(minutes=30)))
    assert a.status is AssignmentStatus.IN_PROGRESS and a.started_at == clock.now
    with pytest.raises(Conflict):
        incident.return_assignment(a.id, "power_supply", "not ours", clock.now)
    incident.report_result(a.id, "power_supply", "replaced", clock.advance(timedelta(hours=3)))
    assert [t.action for t in incident.timeline[-4:]] == [
        "acknowledged",
        "started",
        "assignment_resolved",
        "resolved",
    ]
    assert [t.actor for t in incident.timeline[-4:-1]] == ["department:power_supply"] * 3
    assert _new_events(incident, 3) == [
        events.DepartmentAcknowledged,
        events.DepartmentStartedHandling,
        events.DepartmentReportedResult,
        events.IncidentResolved,
    ]


def test_a_result_straight_from_dispatch_counts_as_signing_for_it(report: ReportFactory) -> None:
    incident = report()
    _escalate(incident, "power_supply")
    [a] = incident.assignments
    incident.report_result(a.id, "power_supply", "fixed", NOW)
    assert a.acknowledged_at == NOW
    with pytest.raises(Conflict):
        incident.report_result(a.id, "power_supply", "", NOW)


def test_a_returned_assignment_holds_the_incident_until_it_is_rerouted(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report(category="illegal_construction", urgency="complex")
    _escalate(incident, "housing", "police")
    housing, police = incident.assignments
    with pytest.raises(RuleBroken) as broken:
        incident.return_assignment(housing.id, "housing", "", clock.now)
    assert broken.value.field == "reason"
    incident.return_assignment(housing.id, "housing", "a property dispute, not ours", clock.now)
    assert housing.status is AssignmentStatus.RETURNED
    assert housing.return_reason == "a property dispute, not ours"
    incident.report_result(police.id, "police", "site secured", clock.now)
    assert incident.status is IncidentStatus.ESCALATED  # housing's part is still unanswered
    with pytest.raises(Conflict):
        incident.report_result(housing.id, "housing", "done anyway", clock.now)

    emitted = len(incident.events)
    later = clock.advance(timedelta(hours=2))
    new = incident.reroute(housing.id, "city_management", "coordinator", later)
    assert housing.status is AssignmentStatus.REROUTED and housing.rerouted_to == new.id
    assert (new.department_code, new.lead, new.status) == (
        "city_management",
        True,
        AssignmentStatus.DISPATCHED,
    )
    # The new department answers for the time it holds the case.
    assert new.resolve_by == later + timedelta(days=15)
    assert _new_events(incident, emitted) == [
        events.AssignmentRerouted,
        events.AssignmentDispatched,
    ]
    rerouted, dispatched = incident.events[emitted:]
    assert isinstance(rerouted, events.AssignmentRerouted)
    assert isinstance(dispatched, events.AssignmentDispatched)
    assert rerouted.new_assignment_id == dispatched.assignment_id == new.id
    assert incident.timeline[-1].detail == "housing → city_management"
    incident.report_result(new.id, "city_management", "wall removed", clock.now)
    assert incident.status is IncidentStatus.RESOLVED


def test_rerouting_needs_a_returned_assignment_and_another_department(
    report: ReportFactory,
) -> None:
    incident = report()
    _escalate(incident, "power_supply", "property")
    power, _prop = incident.assignments
    with pytest.raises(Conflict):
        incident.reroute(power.id, "state_grid", "coordinator", NOW)
    incident.return_assignment(power.id, "power_supply", "not ours", NOW)
    for code in ("power_supply", "property", ""):
        with pytest.raises(RuleBroken) as broken:
            incident.reroute(power.id, code, "coordinator", NOW)
        assert broken.value.field == "department_code"


def test_a_department_cannot_act_after_the_incident_left_its_hands(
    report: ReportFactory,
) -> None:
    incident = report()
    _escalate(incident, "power_supply")
    [a] = incident.assignments
    incident.cancel("reported twice by mistake", "coordinator", NOW)
    with pytest.raises(Conflict):
        incident.acknowledge(a.id, "power_supply", "", NOW)


def test_the_grid_verifies_only_a_resolved_incident(report: ReportFactory) -> None:
    incident = report()
    with pytest.raises(Conflict):
        incident.verify("grid", "", NOW)
    _escalate(incident, "power_supply")
    with pytest.raises(Conflict):
        incident.verify("grid", "", NOW)
    with pytest.raises(Conflict):
        incident.follow_up("satisfied", "", "resident", NOW)
    _resolve_all(incident)
    with pytest.raises(Conflict):
        incident.follow_up("satisfied", "", "resident", NOW)  # not verified yet
    incident.verify("grid", "lights on", NOW)
    assert incident.status is IncidentStatus.VERIFIED and incident.verified_at == NOW


@pytest.mark.parametrize("rating", ["satisfied", "basically_satisfied"])
def test_a_satisfied_resident_closes_the_loop(report: ReportFactory, rating: str) -> None:
    incident = report()
    _escalate(incident, "power_supply")
    _resolve_all(incident)
    incident.verify("grid", "", NOW)
    incident.follow_up(rating, "thanks", "resident", NOW)
    assert incident.status is IncidentStatus.CLOSED
    assert incident.feedback[-1].rating == rating
    assert incident.timeline[-1].detail == f"{rating}: thanks"


def test_feedback_needs_a_known_rating_and_a_complaint_needs_a_comment(
    report: ReportFactory,
) -> None:
    incident = report()
    incident.resolve_locally("done", "grid", NOW)
    incident.verify("grid_leader", "", NOW)
    with pytest.raises(RuleBroken) as broken:
        incident.follow_up("meh", "", "resident", NOW)
    assert broken.value.field == "rating"
    with pytest.raises(RuleBroken) as broken:
        incident.follow_up("unsatisfied", "", "resident", NOW)
    assert broken.value.field == "comment"


def test_an_unsatisfied_resident_sends_the_departments_back_to_work(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report()
    _escalate(incident, "power_supply", "property")
    _resolve_all(incident, clock.now)
    incident.verify("grid", "", clock.now)
    emitted = len(incident.events)
    reopened_at = clock.advance(timedelta(days=2))
    incident.follow_up("unsatisfied", "power cuts again every evening", "resident", reopened_at)
    assert incident.status is IncidentStatus.ESCALATED
    assert incident.timeline[-1].action == "reopened"
    for a in incident.assignments:
        assert a.status is AssignmentStatus.IN_PROGRESS
        assert (a.resolved_at, a.result) == (None, "")
        assert a.resolve_by == reopened_at + timedelta(hours=24)
    assert _new_events(incident, emitted) == [
        events.FollowedUp,
        events.IncidentReopened,
        events.AssignmentReopened,
        events.AssignmentReopened,
    ]
    # The same departments finish it, on the same assignments.
    _resolve_all(incident, clock.now)
    incident.verify("grid", "", clock.now)
    incident.follow_up("basically_satisfied", "", "resident", clock.now)
    assert incident.status is IncidentStatus.CLOSED
    assert [f.rating for f in incident.feedback] == ["unsatisfied", "basically_satisfied"]


def test_cancelling_tells_every_department_still_holding_a_part(report: ReportFactory) -> None:
    incident = report()
    _escalate(incident, "power_supply", "property", "police")
    power, _prop, police = incident.assignments
    incident.report_result(power.id, "power_supply", "done", NOW)
    incident.return_assignment(police.id, "police", "not ours", NOW)
    with pytest.raises(RuleBroken) as broken:
        incident.cancel("", "coordinator", NOW)
    assert broken.value.field == "reason"
    emitted = len(incident.events)
    incident.cancel("the resident withdrew it", "coordinator", NOW)
    assert incident.status is IncidentStatus.CANCELLED
    assert [a.status for a in incident.assignments] == [
        AssignmentStatus.RESOLVED,
        AssignmentStatus.CANCELLED,
        AssignmentStatus.CANCELLED,
    ]
    assert _new_events(incident, emitted) == [
        events.IncidentCancelled,
        events.AssignmentCancelled,
        events.AssignmentCancelled,
    ]
    assert incident.timeline[-1].action == "cancelled"


def test_a_resolved_incident_cannot_be_cancelled(report: ReportFactory) -> None:
    incident = report()
    incident.resolve_locally("done", "grid", NOW)
    with pytest.raises(Conflict):
        incident.cancel("changed my mind", "resident", NOW)


def test_an_incident_is_shared_with_the_alliance(report: ReportFactory) -> None:
    incident = report(community_code="nanmenshan-a", category="road_hazard")
    assert not incident.may_coordinate("nanmenshan-b")
    incident.share_with_alliance(["nanmenshan-b"], "the hazard straddles our border", "c", NOW)
    assert incident.shared_with == {"nanmenshan-b"}
    assert incident.may_coordinate("nanmenshan-b") and incident.may_coordinate("nanmenshan-a")
    incident.share_with_alliance({"nanmenshan-b", "nanmenshan-c"}, "", "c", NOW)
    shared = incident.events[-1]
    assert isinstance(shared, events.IncidentShared)
    assert (shared.shared_with, shared.added) == (
        ["nanmenshan-b", "nanmenshan-c"],
        ["nanmenshan-c"],
    )
    assert [t.action for t in incident.timeline].count("shared") == 2


@pytest.mark.parametrize(
    "codes", [[], [""], ["nanmenshan-a"], ["nanmenshan-b"]], ids=["none", "blank", "own", "again"]
)
def test_sharing_needs_new_other_communities(report: ReportFactory, codes: list[str]) -> None:
    incident = report(community_code="nanmenshan-a")
    incident.share_with_alliance(["nanmenshan-b"], "", "c", NOW)
    with pytest.raises(RuleBroken) as broken:
        incident.share_with_alliance(codes, "", "c", NOW)
    assert broken.value.field == "community_codes"


def test_a_merged_duplicate_adds_its_households_and_shares_the_outcome(
    report: ReportFactory,
) -> None:
    primary = report(affected_households=30, affected_merchants=1, photos=["a.jpg"])
    duplicate = report(affected_households=12, affected_merchants=0, photos=["b.jpg"])
    primary.merge(duplicate, "coordinator", NOW)
    assert (primary.affected_households, primary.affected_merchants) == (42, 1)
    assert primary.photos == ["a.jpg", "b.jpg"]
    assert duplicate.status is IncidentStatus.MERGED and duplicate.merged_into == primary.id
    assert (primary.timeline[-1].action, duplicate.timeline[-1].action) == ("merged", "merged_into")
    merged = primary.events[-1]
    assert isinstance(merged, events.IncidentMerged)
    assert (merged.duplicate_id, merged.affected_households) == (duplicate.id, 42)
    primary.resolve_locally("done", "grid", NOW)
    primary.verify("grid_leader", "", NOW)
    primary.follow_up("satisfied", "", "resident", NOW)
    closed = primary.events[-1]
    assert isinstance(closed, events.IncidentClosed) and closed.merged_incident_ids == [
        duplicate.id
    ]


def test_what_cannot_be_merged(report: ReportFactory) -> None:
    primary = report()
    with pytest.raises(RuleBroken, match="itself"):
        primary.merge(primary, "c", NOW)
    with pytest.raises(RuleBroken, match="same community and category"):
        primary.merge(report(category="tree"), "c", NOW)
    escalated = report()
    _escalate(escalated, "power_supply")
    with pytest.raises(RuleBroken, match="escalated cannot be merged"):
        primary.merge(escalated, "c", NOW)
    holder = report()
    holder.merge(report(), "c", NOW)
    with pytest.raises(RuleBroken, match="duplicates of its own"):
        primary.merge(holder, "c", NOW)
    closed = report()
    closed.triage(False, "no", "c", NOW)
    with pytest.raises(Conflict):
        closed.merge(report(), "c", NOW)


def _broken_commands(incident: Incident) -> list[Callable[[], object]]:
    a = incident.assignments[0]
    return [
        lambda: incident.escalate(["x"], "x", "c", NOW),
        lambda: incident.acknowledge(a.id, "property", "", NOW),
        lambda: incident.return_assignment(a.id, a.department_code, "", NOW),
        lambda: incident.reroute(a.id, "city_management", "c", NOW),
        lambda: incident.report_result(a.id, a.department_code, " ", NOW),
        lambda: incident.verify("grid", "", NOW),
        lambda: incident.follow_up("satisfied", "", "r", NOW),
        lambda: incident.cancel("", "c", NOW),
        lambda: incident.share_with_alliance([incident.community_code], "", "c", NOW),
        lambda: incident.climb_ladder(a.id, "acknowledge", 3, NOW + timedelta(days=1)),
    ]


@pytest.mark.parametrize("which", range(10))
def test_a_refused_command_changes_nothing(report: ReportFactory, which: int) -> None:
    incident = report()
    _escalate(incident, "power_supply", "property")
    before, emitted = deepcopy(incident), list(incident.events)
    with pytest.raises((RuleBroken, Conflict)):
        _broken_commands(incident)[which]()
    assert incident == before
    assert incident.events == emitted
