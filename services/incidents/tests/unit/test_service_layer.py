"""The service layer on a fake unit of work: the whole loop through the handlers, scope
refusals, state conflicts, and the department actions from each channel's name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import uuid4

import pytest

from incidents.domain import open311
from incidents.entrypoints.department_api import PATHS
from incidents.service_layer import commands, department_actions, published
from incidents.service_layer.department_actions import ACTIONS, BY_REPORT_IN, apply_report_in
from lianxin.auth import Principal, Role, Scope
from lianxin.contracts import departments, new_event
from lianxin.errors import Conflict, NotFound, RuleBroken
from lianxin.messaging.streams import INCIDENTS_REPORTS
from lianxin.messaging.subscriber import Rejected

if TYPE_CHECKING:
    from .conftest import FakeUnitOfWork

T0 = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)
COORDINATOR = Principal(
    "c1", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"taipingjie"}))
)
STRANGER = Principal("c2", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"changshan"})))
POWER = Principal("d1", Role.DEPARTMENT_OPERATOR, Scope(department="power_supply"))
HOUSING = Principal("d2", Role.DEPARTMENT_OPERATOR, Scope(department="housing"))


def at(minutes: int):
    return lambda: T0 + timedelta(minutes=minutes)


async def _report(uow: FakeUnitOfWork, households: int = 288, description: str = "变压器故障"):
    return await commands.report(
        uow,
        COORDINATOR,
        micro_grid_code="tpj-g01-m01",
        category="power_supply",
        urgency="utilities",
        description=description,
        affected_households=households,
        reporter="grid",
        clock=at(0),
    )


async def _whistled(uow: FakeUnitOfWork, *codes: str):
    incident = await _report(uow)
    incident = await commands.escalate(
        uow,
        COORDINATOR,
        incident.id,
        department_codes=list(codes or ["power_supply"]),
        lead_department_code=None,
        clock=at(5),
    )
    return incident


async def test_the_whole_loop_through_the_handlers(uow: FakeUnitOfWork) -> None:
    incident = await _whistled(uow)
    assignment = incident.assignments[0].id
    for minutes, (action, text) in enumerate(
        [("acknowledge", "已接单"), ("handle", "crew on site"), ("report_result", "换了变压器")],
        start=10,
    ):
        await department_actions.take(uow, POWER, assignment, action, text, clock=at(minutes))
    await commands.run(uow, COORDINATOR, incident.id, "verify", at(20), note="lights on")
    closed = await commands.run(
        uow, COORDINATOR, incident.id, "follow_up", at(30), rating="satisfied", comment=""
    )

    assert closed.status == "closed"
    assert uow.stored[incident.id].status == "closed"
    assert uow.types() == [
        "IncidentReported",
        "IncidentEscalated",
        "AssignmentDispatched",
        "AssignmentAcknowledged",
        "AssignmentStarted",
        "AssignmentResolved",
        "IncidentResolved",
        "IncidentVerified",
        "FeedbackGiven",
        "IncidentClosed",
    ]
    assert [line.action for line in closed.timeline] == [
        "reported",
        "escalated",
        "acknowledged",
        "started",
        "assignment_resolved",
        "resolved",
        "verified",
        "closed",
    ]


async def test_outside_the_callers_scope_an_incident_does_not_exist(uow: FakeUnitOfWork) -> None:
    incident = await _whistled(uow, "power_supply", "property")
    published = len(uow.published)
    with pytest.raises(NotFound):
        await commands.run(uow, STRANGER, incident.id, "triage", accepted=True, reason="")
    with pytest.raises(NotFound):
        await commands.run(uow, HOUSING, incident.id, "cancel", reason="not yours")
    # A department acts on its own assignment only, whichever it names.
    with pytest.raises(NotFound):
        await department_actions.take(uow, HOUSING, incident.assignments[0].id, "acknowledge", "")
    with pytest.raises(NotFound):
        await department_actions.take(uow, POWER, uuid4(), "acknowledge", "")
    assert len(uow.published) == published


async def test_a_command_the_state_forbids_is_a_conflict_and_changes_nothing(
    uow: FakeUnitOfWork,
) -> None:
    incident = await _whistled(uow)
    before, published = uow.stored[incident.id], len(uow.published)
    with pytest.raises(Conflict):
        await commands.run(uow, COORDINATOR, incident.id, "verify", note="")  # not resolved
    with pytest.raises(Conflict):
        await commands.escalate(
            uow,
            COORDINATOR,
            incident.id,
            department_codes=["property"],
            lead_department_code=None,
        )
    with pytest.raises(RuleBroken) as broken:
        await department_actions.take(uow, POWER, incident.assignments[0].id, "return", " ")
    assert broken.value.field == "reason"
    assert uow.stored[incident.id] == before and len(uow.published) == published


async def test_an_unknown_department_or_micro_grid_is_a_broken_rule(uow: FakeUnitOfWork) -> None:
    with pytest.raises(RuleBroken) as broken:
        await commands.report(uow, COORDINATOR, micro_grid_code="nowhere", category="x")
    assert broken.value.field == "micro_grid_code"
    incident = await _whistled(uow)
    with pytest.raises(RuleBroken) as broken:
        await commands.reassign(uow, COORDINATOR, incident.id, incident.assignments[0].id, "zoo")
    assert broken.value.field == "department_code"


async def test_no_more_households_are_affected_than_the_grid_holds(uow: FakeUnitOfWork) -> None:
    # tpj-g01-m01 is one of 朝华新城's five micro-grids, 475 households in all (conftest).
    with pytest.raises(RuleBroken) as broken:
        await _report(uow, households=1_000_000)
    assert broken.value.field == "affected_households"
    assert (broken.value.type, broken.value.ctx) == ("households_above_grid", {"households": 475})
    assert (await _report(uow, households=475)).affected_households == 475


async def test_a_merge_changes_both_incidents_in_one_transaction(uow: FakeUnitOfWork) -> None:
    first, second = await _whistled(uow), await _report(uow, 12, "停电了")
    commits = uow.commits
    merged = await commands.merge(uow, COORDINATOR, first.id, second.id)
    assert uow.commits == commits + 1
    assert merged.affected_households == 300
    assert uow.stored[second.id].status == "merged"
    assert uow.types()[-1] == "IncidentMerged"


# Every channel names its department actions; each name is one row of the table.
CHANNELS = {
    "rest": set(PATHS.values()),
    "open311": set(open311.UPDATE_STATUSES.values()),
    "nats": {action.name for action in BY_REPORT_IN.values()},
}


# Open311's service request updates carry a status and a text, no deadline: asking for more
# time (an action that takes `more`) is for the other channels.
WITHOUT_MORE = {name for name, action in ACTIONS.items() if not action.more}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_every_channel_offers_every_department_action_and_nothing_else(channel: str) -> None:
    assert CHANNELS[channel] == (WITHOUT_MORE if channel == "open311" else set(ACTIONS))


@pytest.mark.parametrize("name", sorted(ACTIONS))
async def test_each_action_leaves_its_line_and_its_contract(uow: FakeUnitOfWork, name: str):
    action = ACTIONS[name]
    incident = await _whistled(uow)
    assignment = incident.assignments[0].id
    if name in ("handle", "request_extension"):  # both follow signing for
        await department_actions.take(uow, POWER, assignment, "acknowledge", "")
    more = {"resolve_by": at(60 * 24 * 30)()} if action.more else {}
    before = len(uow.published)
    after = await department_actions.take(uow, POWER, assignment, name, "done, and why", **more)
    assert after.timeline[-1 if name != "report_result" else -2].action == action.timeline_action
    assert isinstance(uow.published[before], action.contract)
    assert published.CONTRACTS[action.event] is action.contract


def _report_in(contract, code: str, on_subject_of: str | None = None, **data):
    """A department's report-in as NATS delivers it: event, payload, and the subject it came on."""
    payload = contract(department_code=code, **data)
    event = new_event(payload, source="/lianxin/department")
    subject = payload.nats_subject().replace(code, on_subject_of or code)
    return event, payload, subject


async def test_a_report_in_over_nats_runs_the_same_action_once(uow: FakeUnitOfWork) -> None:
    incident = await _whistled(uow)
    assignment = incident.assignments[0].id
    event, data, subject = _report_in(
        departments.AcknowledgementReportedIn, "power_supply", assignment_id=assignment, note="到"
    )
    await apply_report_in(uow, event, data, subject, INCIDENTS_REPORTS.durable, at(10))
    await apply_report_in(
        uow, event, data, subject, INCIDENTS_REPORTS.durable, at(11)
    )  # redelivered
    assert uow.types().count("AssignmentAcknowledged") == 1
    assert uow.stored[incident.id].assignments[0].status == "acknowledged"


async def test_a_report_in_on_another_departments_subject_or_refused_is_rejected(
    uow: FakeUnitOfWork,
) -> None:
    incident = await _whistled(uow)
    assignment = incident.assignments[0].id
    result = {"assignment_id": assignment, "result": "not ours"}
    forged = _report_in(departments.ResultReportedIn, "power_supply", "police", **result)
    with pytest.raises(Rejected, match="carries a report-in for"):
        await apply_report_in(uow, *forged, INCIDENTS_REPORTS.durable)
    police = _report_in(departments.ResultReportedIn, "police", **result)
    with pytest.raises(Rejected, match="another department"):
        await apply_report_in(uow, *police, INCIDENTS_REPORTS.durable)
    too_early = _report_in(departments.HandlingReportedIn, "power_supply", assignment_id=assignment)
    with pytest.raises(Rejected):  # not signed for yet: a Conflict, never to apply
        await apply_report_in(uow, *too_early, INCIDENTS_REPORTS.durable)
    assert uow.stored[incident.id].assignments[0].status == "dispatched"
    assert not uow.handled


def test_a_domain_event_without_its_contract_fails_loudly() -> None:
    incomplete = dict(published.CONTRACTS)
    incomplete.popitem()
    with pytest.raises(TypeError, match="without a contract"):
        published.check(incomplete)
    mismatched = dict(published.CONTRACTS)
    event = next(iter(mismatched))
    mismatched[event] = departments.AcknowledgementReportedIn
    with pytest.raises(TypeError, match="fields differ"):
        published.check(mismatched)
