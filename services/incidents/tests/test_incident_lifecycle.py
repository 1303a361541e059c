"""An incident's lifecycle, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incidents.domain import events
from incidents.domain.model import AssignmentStatus, Incident, IncidentStatus, RuleBroken

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
    incident.resolve_assignment(power.id, "power_supply", "换了变压器", NOW)
    assert incident.status is IncidentStatus.ESCALATED
    incident.resolve_assignment(prop.id, "property", "清理了配电房", NOW)
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
    with pytest.raises(RuleBroken):
        incident.escalate(["power_supply"], "power_supply", "coordinator", NOW)
    assignment = incident.assignments[0]
    incident.acknowledge(assignment.id, "power_supply", "", NOW)
    with pytest.raises(RuleBroken):
        incident.acknowledge(assignment.id, "power_supply", "", NOW)


def test_an_unknown_urgency_is_refused() -> None:
    with pytest.raises(RuleBroken) as broken:
        _transformer("whenever")
    assert broken.value.field == "urgency"
