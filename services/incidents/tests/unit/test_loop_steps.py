"""The missing steps of the loop (issue #15): reassign, withdraw, urge, more time, the
resident's own link, and nobody checking their own work — on the domain, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidents.domain import events
from incidents.domain.assignments import Assignment
from incidents.domain.incident import Incident
from incidents.domain.rates import AssignmentFacts, IncidentFacts, rates
from incidents.domain.rating_links import LIFETIME, link_key, make_token, read_token
from incidents.domain.values import AssignmentStatus, ExtensionStatus, IncidentStatus
from lianxin.errors import Conflict, RuleBroken

NOW = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _whistled(*codes: str) -> Incident:
    incident = Incident.report(
        community_code="taipingjie",
        micro_grid_code="tpj-g01-m01",
        grid_path=["tpj-g01", "tpj-g01-m01"],
        category="power_supply",
        urgency="utilities",
        description="变压器故障",
        affected_households=288,
        reporter="micro_grid_leader",
        now=NOW,
    )
    incident.escalate(list(codes), codes[0], "coordinator", NOW)
    incident.events.clear()
    return incident


def _to_property() -> tuple[Incident, Assignment]:
    incident = _whistled("property")
    return incident, incident.assignments[0]


def test_withdrawing_the_idle_co_handler_resolves_an_incident_its_lead_finished() -> None:
    """Defect 2: the lead resolved, a co-handler nobody acts for kept it 已吹哨 for ever."""
    incident = _whistled("power_supply", "property")
    power, prop = incident.assignments
    incident.report_result(power.id, "power_supply", "换了变压器", NOW + HOUR)
    assert incident.status is IncidentStatus.ESCALATED

    incident.withdraw(prop.id, "物业无人响应, 已由供电处理", "coordinator", NOW + 2 * HOUR)

    assert prop.status is AssignmentStatus.WITHDRAWN
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.resolved_at == NOW + 2 * HOUR
    assert [t.action for t in incident.timeline][-2:] == ["withdrawn", "resolved"]
    [withdrawn] = [e for e in incident.events if isinstance(e, events.AssignmentWithdrawn)]
    assert (withdrawn.department_code, withdrawn.actor) == ("property", "coordinator")


def test_withdrawing_every_part_gives_the_incident_back_to_the_grid() -> None:
    incident, prop = _to_property()
    incident.withdraw(prop.id, "误派", "coordinator", NOW)
    assert incident.status is IncidentStatus.ACCEPTED
    incident.resolve_locally("物业经理上门处理", "grid_leader", NOW + HOUR)
    assert incident.status is IncidentStatus.RESOLVED


def test_a_withdrawal_needs_a_reason_and_a_part_still_out() -> None:
    incident = _whistled("power_supply", "property")
    power, _ = incident.assignments
    with pytest.raises(RuleBroken) as broken:
        incident.withdraw(power.id, " ", "coordinator", NOW)
    assert broken.value.field == "reason" and power.status is AssignmentStatus.DISPATCHED
    incident.report_result(power.id, "power_supply", "done", NOW)
    with pytest.raises(Conflict):
        incident.withdraw(power.id, "too late", "coordinator", NOW)


def test_reassigning_a_held_part_tells_the_old_department_and_dispatches_the_new() -> None:
    incident = _whistled("power_supply", "property")
    _, prop = incident.assignments
    incident.acknowledge(prop.id, "property", "", NOW)

    new = incident.reassign(prop.id, "housing", "物业无权处理", "coordinator", NOW + HOUR)

    assert prop.status is AssignmentStatus.REASSIGNED and prop.rerouted_to == new.id
    assert (new.department_code, new.status, new.lead) == ("housing", "dispatched", False)
    assert new.resolve_by > NOW + HOUR
    kinds = [type(e) for e in incident.events]
    assert kinds[-2:] == [events.AssignmentReassigned, events.AssignmentDispatched]
    assert incident.timeline[-1].action == "reassigned"
    # The old department can do nothing with it any more.
    with pytest.raises(Conflict):
        incident.report_result(prop.id, "property", "done", NOW + HOUR)


def test_reassigning_a_returned_part_reroutes_it_as_before() -> None:
    incident, prop = _to_property()
    incident.return_assignment(prop.id, "property", "不属本单位", NOW)
    incident.reassign(prop.id, "housing", "", "coordinator", NOW)
    assert prop.status is AssignmentStatus.REROUTED
    assert incident.timeline[-1].action == "rerouted"


def test_reassigning_to_itself_or_a_department_already_in_it_is_refused() -> None:
    incident = _whistled("power_supply", "property")
    power, _ = incident.assignments
    for code in ("power_supply", "property"):
        with pytest.raises(RuleBroken) as broken:
            incident.reassign(power.id, code, "", "coordinator", NOW)
        assert broken.value.field == "department_code"
    assert power.status is AssignmentStatus.DISPATCHED


def test_urging_leaves_a_line_and_a_message_for_the_department() -> None:
    incident, prop = _to_property()
    incident.urge(prop.id, "居民反映仍未处理", "coordinator", NOW + HOUR)
    assert incident.timeline[-1].action == "urged"
    [urged] = incident.events
    assert isinstance(urged, events.AssignmentUrged)
    assert (urged.department_code, urged.resolve_by) == ("property", prop.resolve_by)
    incident.report_result(prop.id, "property", "done", NOW + HOUR)
    with pytest.raises(Conflict):  # nothing to urge once the incident is resolved
        incident.urge(prop.id, "", "coordinator", NOW + HOUR)


def test_more_time_granted_moves_the_deadline_and_is_counted() -> None:
    incident, prop = _to_property()
    first_deadline = prop.resolve_by
    assert first_deadline is not None
    later = first_deadline + timedelta(days=3)
    with pytest.raises(Conflict):  # not before it is signed for
        incident.request_extension(prop.id, "property", "需采购配件", NOW, resolve_by=later)
    incident.acknowledge(prop.id, "property", "", NOW)
    with pytest.raises(RuleBroken) as broken:
        incident.request_extension(
            prop.id, "property", "需采购配件", NOW, resolve_by=first_deadline
        )
    assert broken.value.field == "resolve_by"
    incident.request_extension(prop.id, "property", "需采购配件", NOW + HOUR, resolve_by=later)
    with pytest.raises(Conflict):  # one request at a time
        incident.request_extension(prop.id, "property", "again", NOW + HOUR, resolve_by=later)

    incident.decide_extension(prop.id, True, "", "coordinator", NOW + 2 * HOUR)

    assert prop.resolve_by == later
    assert prop.extensions[0].status is ExtensionStatus.GRANTED
    assert prop.extensions[0].previous_resolve_by == first_deadline
    assert prop.extensions_granted == 1
    granted = [e for e in incident.events if isinstance(e, events.ExtensionGranted)]
    assert granted[0].resolve_by == later
    # Resolved after the first deadline but within the granted one: on time, and extended.
    resolved_at = first_deadline + timedelta(days=1)
    incident.report_result(prop.id, "property", "更换完毕", resolved_at)
    facts = IncidentFacts(
        str(incident.id),
        "taipingjie",
        "dongcheng",
        NOW,
        incident.status.value,
        resolved_at,
        False,
        assignments=(
            AssignmentFacts(
                "property",
                "taipingjie",
                "dongcheng",
                NOW,
                prop.acknowledge_by,  # type: ignore[arg-type]
                prop.acknowledged_at,
                prop.resolve_by,
                prop.resolved_at,
                prop.status.value,
                extensions=prop.extensions_granted,
            ),
        ),
    )
    [measured] = rates([facts], "department", "2026-11")
    assert measured.counts.resolved_on_time == 1
    assert (measured.counts.extended, measured.counts.extensions) == (1, 1)


def test_more_time_refused_keeps_the_deadline_and_needs_a_reason() -> None:
    incident, prop = _to_property()
    incident.acknowledge(prop.id, "property", "", NOW)
    deadline = prop.resolve_by
    assert deadline is not None
    incident.request_extension(prop.id, "property", "人手不足", NOW, resolve_by=deadline + HOUR)
    with pytest.raises(RuleBroken) as broken:
        incident.decide_extension(prop.id, False, "", "coordinator", NOW)
    assert broken.value.field == "note"
    incident.decide_extension(prop.id, False, "居民急需, 请按时办结", "coordinator", NOW)
    assert prop.resolve_by == deadline
    assert prop.extensions[0].status is ExtensionStatus.REFUSED
    with pytest.raises(Conflict):  # nothing is waiting any more
        incident.decide_extension(prop.id, True, "", "coordinator", NOW)


def test_a_part_taken_away_counts_only_if_it_had_missed_a_deadline() -> None:
    def facts(status: str, breached: bool) -> IncidentFacts:
        part = AssignmentFacts(
            "property", "tpj", "st", NOW, NOW, None, NOW, None, status, breached=breached
        )
        return IncidentFacts("1", "tpj", "st", NOW, "escalated", None, False, assignments=(part,))

    assert (
        rates([facts("withdrawn", False), facts("reassigned", False)], "department", "2026-11")
        == []
    )
    [late] = rates([facts("withdrawn", True)], "department", "2026-11")
    assert (late.counts.dispatched, late.counts.resolved) == (1, 0)


def test_whoever_resolved_it_locally_may_neither_verify_nor_rate_it() -> None:
    """Defect 3: the same coordinator resolved locally, verified and rated their own work."""
    incident = _whistled("property")
    incident.withdraw(incident.assignments[0].id, "误派", "coordinator", NOW)
    incident.resolve_locally("调解完毕", "coordinator", NOW)
    with pytest.raises(Conflict):
        incident.verify("coordinator", "", NOW)
    assert incident.status is IncidentStatus.RESOLVED
    incident.verify("grid_leader", "", NOW)
    with pytest.raises(Conflict):
        incident.follow_up("satisfied", "", "coordinator", NOW)
    incident.follow_up("satisfied", "", "grid_leader", NOW)
    assert incident.status is IncidentStatus.CLOSED


def test_the_residents_link_rates_once_for_its_own_resolution_until_it_expires() -> None:
    incident, prop = _to_property()
    incident.report_result(prop.id, "property", "done", NOW)
    resolved_at = incident.resolved_at
    assert resolved_at is not None
    expires = resolved_at + LIFETIME
    with pytest.raises(Conflict):
        incident.rate_by_link("satisfied", "", resolved_at, expires, expires + HOUR)
    with pytest.raises(Conflict):
        incident.rate_by_link("satisfied", "", resolved_at - HOUR, expires, NOW)
    incident.rate_by_link("unsatisfied", "还是停电", resolved_at, expires, NOW + HOUR)
    assert incident.status is IncidentStatus.ESCALATED  # reopened, back to the department
    assert incident.feedback[-1].actor == "resident"
    with pytest.raises(Conflict):  # the link is spent: the incident waits for no rating
        incident.rate_by_link("satisfied", "", resolved_at, expires, NOW + HOUR)


def test_a_rating_token_names_its_resolution_and_is_signed() -> None:
    key = link_key("secret")
    incident = _whistled("property")
    token = make_token(key, incident.id, NOW)
    assert len(token) <= 60
    link = read_token(key, token)
    assert (link.incident_id, link.resolved_at, link.expires_at) == (
        incident.id,
        NOW,
        NOW + timedelta(days=14),
    )
    for forged in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "x", ""):
        with pytest.raises(RuleBroken):
            read_token(key, forged)
    with pytest.raises(RuleBroken):
        read_token(link_key("another secret"), token)
