"""SCENARIOS.md played on the domain alone: no database, no broker, a clock moved by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from incidents.domain import events
from incidents.domain.deadlines import Timer
from incidents.domain.duplicates import candidates
from incidents.domain.incident import Incident
from incidents.domain.routing import RoutingRule, RoutingTable
from incidents.domain.values import AssignmentStatus, IncidentStatus

if TYPE_CHECKING:
    from conftest import Clock, ReportFactory

ROUTING = RoutingTable.with_rules(
    "taipingjie-alliance",
    [
        RoutingRule("power_supply", "*", ("power_supply", "property")),
        RoutingRule("illegal_construction", "*", ("housing",)),
        RoutingRule("tree", "*", ("landscaping",)),
        RoutingRule("illegal_parking", "*", ("city_management",)),
    ],
)


class TimerTable:
    """The durable timer rows as persistence keeps them, in memory: upserted after every save,
    claimed when due, and (like two replicas racing) possibly fired twice."""

    def __init__(self) -> None:
        self.rows: set[Timer] = set()

    def save(self, incident: Incident) -> None:
        self.rows |= set(incident.timers())

    def fire_due(self, incident: Incident, now: datetime, twice: bool = True) -> int:
        due = sorted((r for r in self.rows if r.due_at <= now), key=lambda r: r.due_at)
        taken = 0
        for row in due:
            for _ in range(2 if twice else 1):
                taken += incident.on_timer(row.assignment_id, row.kind, now)
            self.rows.discard(row)
        self.save(incident)
        return taken


def _escalate_as_routed(incident: Incident, actor: str, now: datetime) -> None:
    suggestion = ROUTING.suggest(incident.category, incident.community_code, "jiefangbei")
    assert suggestion is not None
    incident.escalate(
        [suggestion.lead, *suggestion.co_handlers],
        suggestion.lead,
        actor,
        now,
        service_level=ROUTING.service_level(incident.urgency),
    )


def test_scenario_1_the_transformer_resolves_only_when_both_have(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report(reporter_kind="grid_leader")  # 288 households, 50 merchants, utilities
    timers = TimerTable()
    _escalate_as_routed(incident, "community_coordinator", clock.advance(timedelta(minutes=10)))
    timers.save(incident)
    power, prop = incident.assignments
    assert (power.department_code, power.lead) == ("power_supply", True)
    assert (prop.department_code, prop.lead) == ("property", False)

    incident.acknowledge(power.id, "power_supply", "已接单", clock.advance(timedelta(minutes=4)))
    incident.handle(
        power.id, "power_supply", "crew dispatched", clock.advance(timedelta(minutes=20))
    )
    incident.acknowledge(prop.id, "property", "", clock.advance(timedelta(minutes=5)))
    timers.save(incident)
    assert timers.fire_due(incident, clock.advance(timedelta(hours=1))) == 0  # all on time
    incident.report_result(
        power.id, "power_supply", "换了变压器", clock.advance(timedelta(hours=5))
    )
    assert incident.status is IncidentStatus.ESCALATED  # the property company has not yet
    incident.report_result(prop.id, "property", "清理了配电房", clock.advance(timedelta(hours=1)))
    assert incident.status is IncidentStatus.RESOLVED
    incident.verify("micro_grid_leader", "lights on in all 7 buildings", clock.now)
    incident.follow_up("satisfied", "来电了", "resident", clock.advance(timedelta(hours=2)))
    assert incident.status is IncidentStatus.CLOSED
    # Nothing was late, so nothing climbed, even when every old timer row fires.
    assert timers.fire_due(incident, clock.advance(timedelta(days=30))) == 0
    assert not any(isinstance(e, events.AssignmentOverdue) for e in incident.events)
    assert [t.action for t in incident.timeline] == [
        "reported",
        "escalated",
        "acknowledged",
        "started",
        "acknowledged",
        "assignment_resolved",
        "assignment_resolved",
        "resolved",
        "verified",
        "closed",
    ]


def test_scenario_2_the_stilt_floor_climbs_to_district_supervision(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report(
        category="illegal_construction",
        urgency="complex",
        description="an owner walled in the open stilt floor",
        affected_households=632,
        affected_merchants=166,
    )
    timers = TimerTable()
    _escalate_as_routed(incident, "community_coordinator", clock.now)
    timers.save(incident)
    [housing] = incident.assignments
    incident.return_assignment(
        housing.id, "housing", "a property dispute, not ours", clock.advance(timedelta(minutes=20))
    )
    rerouted_at = clock.advance(timedelta(hours=1))
    city = incident.reroute(housing.id, "city_management", "community_coordinator", rerouted_at)
    timers.save(incident)
    incident.acknowledge(city.id, "city_management", "law enforcement team", clock.now)
    incident.handle(city.id, "city_management", "notice served", clock.advance(timedelta(days=1)))
    timers.save(incident)
    # Housing's old rows fire: it no longer holds the case, so nothing happens.
    assert timers.fire_due(incident, clock.advance(timedelta(days=2))) == 0

    clock.now = rerouted_at + timedelta(days=15)  # the 15-day deadline passes
    assert timers.fire_due(incident, clock.now) == 1
    assert timers.fire_due(incident, clock.advance(timedelta(days=15))) == 1
    assert timers.fire_due(incident, clock.advance(timedelta(days=15))) == 1
    assert timers.fire_due(incident, clock.advance(timedelta(days=60))) == 0

    lines = [(t.action, t.actor, t.detail) for t in incident.timeline]
    assert [action for action, _, _ in lines] == [
        "reported",
        "escalated",
        "returned",
        "rerouted",
        "acknowledged",
        "started",
        "overdue",
        "ladder_climbed",
        "ladder_climbed",
    ]
    assert lines[2] == ("returned", "department:housing", "a property dispute, not ours")
    assert [detail.rsplit("→ ", 1)[1] for _, _, detail in lines[-3:]] == [
        "community",
        "street",
        "district_supervision",
    ]
    climbed = [e for e in incident.events if isinstance(e, events.LadderClimbed)]
    assert [(c.department_code, c.kind, c.rung) for c in climbed] == [
        ("city_management", "resolve", "community"),
        ("city_management", "resolve", "street"),
        ("city_management", "resolve", "district_supervision"),
    ]
    # The department can still finish it; a late result says so.
    incident.report_result(city.id, "city_management", "wall removed", clock.now)
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.timeline[-2].detail == "wall removed (late)"


def test_scenario_3_three_reports_of_one_tree_are_merged(
    report: ReportFactory, clock: Clock
) -> None:
    tree = {
        "community_code": "yongxinglu",
        "micro_grid_code": "yxl-g02-m03",
        "grid_path": ["yxl-g02", "yxl-g02-m03"],
        "category": "tree",
        "urgency": "general",
        "description": "tall tree blocking windows",
        "affected_merchants": 0,
        "reporter_kind": "resident",
    }
    first = report(**tree, affected_households=6)
    second = report(**tree, affected_households=4, now=clock.advance(timedelta(hours=5)))
    third = report(**tree, affected_households=8, now=clock.advance(timedelta(hours=12)))
    known = [first]
    for new in (second, third):
        assert candidates(new, known) == [first]  # offered as a duplicate of the first
        first.merge(new, "community_coordinator", clock.now)
        known.append(new)
    assert first.affected_households == 18
    assert first.merged_ids == [second.id, third.id]
    assert {second.status, third.status} == {IncidentStatus.MERGED}

    _escalate_as_routed(first, "community_coordinator", clock.now)
    [landscaping] = first.assignments
    assert landscaping.department_code == "landscaping"
    assert landscaping.resolve_by == clock.now + timedelta(days=7)
    first.acknowledge(landscaping.id, "landscaping", "", clock.advance(timedelta(minutes=15)))
    first.report_result(landscaping.id, "landscaping", "trimmed", clock.advance(timedelta(days=3)))
    first.verify("grid_leader", "", clock.now)
    first.follow_up("satisfied", "", "resident", clock.now)
    closed = first.events[-1]
    # The duplicates share the outcome: their reporters hear of it through the closing.
    assert isinstance(closed, events.IncidentClosed)
    assert closed.merged_incident_ids == [second.id, third.id]

    parking = report(**{**tree, "category": "illegal_parking"}, affected_households=0)
    assert candidates(parking, known) == []
    _escalate_as_routed(parking, "community_coordinator", clock.now)
    assert [a.department_code for a in parking.assignments] == ["city_management"]


def test_scenario_4_a_noise_dispute_stays_in_the_compound(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report(community_code="longze", category="noise", urgency="general")
    incident.triage(True, "", "micro_grid_leader", clock.now)
    incident.resolve_locally(
        "settled by the 和事佬 at the little wooden house", "mediator", clock.now
    )
    incident.verify("grid_leader", "", clock.now)
    incident.follow_up("basically_satisfied", "", "resident", clock.now)
    assert incident.status is IncidentStatus.CLOSED and incident.assignments == []
    assert not any(isinstance(e, events.IncidentEscalated) for e in incident.events)


def test_scenario_6_a_hazard_on_a_shared_street_is_handled_jointly(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report(community_code="nanmenshan-1", category="road_hazard", urgency="general")
    incident.share_with_alliance(
        ["nanmenshan-2"], "the hazard straddles both communities", "secretary", clock.now
    )
    assert incident.may_coordinate("nanmenshan-2")
    incident.escalate(["city_management", "police"], "city_management", "nanmenshan-2", clock.now)
    assert [a.status for a in incident.assignments] == [AssignmentStatus.DISPATCHED] * 2
