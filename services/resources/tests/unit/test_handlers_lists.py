"""Needs, offers, meetings and projects on the fake unit of work: story 8 (the pavilion), needs
from incidents only by decision, emergency offers in wartime only, and scope refusals."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from lianxin.auth import Principal, Role, Scope
from lianxin.errors import Conflict, Forbidden, NotFound, RuleBroken
from lianxin.testing.events import as_sent, escalation
from resources.domain.common import Quarter
from resources.service_layer import evaluation, meetings, needs, offers, projects

from .builders import T0, a_meeting, at
from .conftest import (
    ADMIN,
    COORDINATOR,
    DEPARTMENT,
    GRID_LEADER,
    LIAISON,
    OTHER_COORDINATOR,
    OTHER_LIAISON,
    FakeUnitOfWork,
)

clock = at(0)


NEED = {
    "community_code": "taipingjie",
    "grid_node_code": "tpj-g01",
    "category": "elderly_care",
    "title": "老人户外休息的地方",
    "affected": "elderly residents",
    "affected_count": 120,
    "urgency": "normal",
}


def offer(unit: str, **extra) -> dict:
    return {
        "member_unit_code": unit,
        "community_code": "taipingjie",
        "kind": "expertise",
        "title": "施工队",
        "quantity": 10,
        "unit": "people",
        "available_from": T0,
        "categories": ["elderly_care"],
        **extra,
    }


async def test_story_8_the_pavilion_from_need_to_rated_project(uow: FakeUnitOfWork) -> None:
    need = await needs.record_need(uow, GRID_LEADER, dict(NEED), clock)
    filed = await offers.file_offer(uow, LIAISON, offer("tpj-u01"), clock)
    await offers.file_offer(uow, COORDINATOR, offer("tpj-u02"), clock)
    [best, *_] = await needs.suggestions(uow, COORDINATOR, need.id, clock=clock)
    assert best.offer_id in {filed.id} | {o.id for o in await offers.list_offers(uow, ADMIN)}
    meeting = await meetings.schedule_meeting(
        uow, COORDINATOR, a_meeting("tpj-u01", 1, invited_department_codes=["housing"]), clock
    )
    await meetings.build_meeting_agenda(uow, COORDINATOR, meeting.id, clock)
    due = T0 + timedelta(days=60)
    step = meetings.update_meeting
    m = await step(
        uow,
        COORDINATOR,
        meeting.id,
        "project",
        {"title": "连心亭", "need_ids": [need.id], "due_at": due, "slots": 2},
        clock,
    )
    project_id = m.decisions[0].project_id
    await step(
        uow,
        COORDINATOR,
        meeting.id,
        "responsibility",
        {"project_id": project_id, "holder_code": "tpj-u01", "task": "建亭", "due_at": due},
        clock,
    )
    await step(
        uow,
        COORDINATOR,
        meeting.id,
        "attendance",
        {"units_present": ["tpj-u01", "tpj-u02"], "departments_present": ["housing"]},
        clock,
    )
    await step(uow, COORDINATOR, meeting.id, "minutes", {"minutes": "决定建连心亭"}, clock)
    await meetings.close_meeting(uow, COORDINATOR, meeting.id, at(1))
    # One transaction: the need taken into its project, the decisions, the close, their effects.
    assert uow.types()[-6:] == [
        "NeedTakenIntoProject",
        "ProjectDecided",
        "ResponsibilityGiven",
        "MeetingClosed",
        "ProjectCreated",
        "ResponsibilityAssigned",
    ]
    # An invited department sees the meeting, and nothing else here.
    housing = Principal("op", Role.DEPARTMENT_OPERATOR, Scope(department="housing"))
    assert (await meetings.get_meeting(uow, housing, meeting.id)).id == meeting.id
    with pytest.raises(NotFound):
        await meetings.get_meeting(uow, DEPARTMENT, meeting.id)

    await projects.change_project(uow, LIAISON, project_id, "claim", {}, at(2))
    await projects.change_project(uow, OTHER_LIAISON, project_id, "claim", {}, at(2))
    with pytest.raises(Conflict, match="full"):
        await projects.change_project(
            uow, COORDINATOR, project_id, "claim", {"member_unit_code": "tpj-u03"}, at(2)
        )
    project = await projects.get_project(uow, LIAISON, project_id)
    [resp] = project.responsibilities
    await projects.change_project(
        uow, LIAISON, project_id, "progress", {"note": "地基完成", "percent_done": 40}, at(10)
    )
    await projects.change_project(
        uow, LIAISON, project_id, "complete", {"responsibility_id": resp.id}, at(30)
    )
    await projects.change_project(uow, COORDINATOR, project_id, "finish", {}, at(31))
    await projects.change_project(
        uow, COORDINATOR, project_id, "rate", {"rater_key": "household-1", "rating": 5}, at(32)
    )
    finished = await projects.get_project(uow, COORDINATOR, project_id)
    assert finished.on_time and finished.claimant_codes == ("tpj-u01", "tpj-u02")
    assert (await needs.get_need(uow, COORDINATOR, need.id)).status.value == "in_project"
    _, listed = await evaluation.quarter_cards(
        uow, COORDINATOR, "taipingjie", Quarter(2026, 1), [], clock=at(40)
    )
    assert {c.member_unit_code for c in listed.red} == {"tpj-u01", "tpj-u02"}
    # The next meeting's agenda opens with the feedback on this one's decisions.
    nxt = await meetings.schedule_meeting(uow, COORDINATOR, a_meeting("tpj-u02", 90), at(40))
    drafted = await meetings.build_meeting_agenda(uow, COORDINATOR, nxt.id, at(40))
    assert [f.state for f in drafted.agenda.feedback] == ["finished_on_time", "done"]


async def test_a_need_from_an_incident_is_a_coordinator_s_decision_once(
    uow: FakeUnitOfWork,
) -> None:
    incident_id = uuid4()
    fields = {**NEED, "source_incident_id": incident_id}
    with pytest.raises(Forbidden):
        await needs.record_need(uow, GRID_LEADER, dict(fields), clock)
    need = await needs.record_need(uow, COORDINATOR, dict(fields), clock)
    assert (need.source.value, need.source_incident_id) == ("incident", incident_id)
    with pytest.raises(Conflict):
        await needs.record_need(uow, COORDINATOR, dict(fields), clock)
    with pytest.raises(NotFound):
        await needs.record_need(uow, OTHER_COORDINATOR, {**NEED, "community_code": "taipingjie"})


async def test_a_wartime_escalation_offers_the_emergency_resources_once(
    uow: FakeUnitOfWork,
) -> None:
    truck = await offers.file_offer(
        uow, LIAISON, offer("tpj-u01", kind="vehicle", emergency_available=True), clock
    )
    await offers.file_offer(uow, LIAISON, offer("tpj-u01"), clock)  # not for emergencies
    data = escalation("taipingjie", "tpj-g01-m01")
    event = as_sent(data)
    for _ in range(2):
        await offers.offer_for_emergency(uow, event, data, "resources_incidents", at(1))
    [(offered, used)] = await offers.offers_for_incident(uow, COORDINATOR, data.incident_id)
    assert (offered.id, used) == (truck.id, 0)
    assert uow.types().count("EmergencyOffersMade") == 1
    await offers.use_for_emergency(
        uow, COORDINATOR, data.incident_id, truck.id, 2, "转移群众", at(1)
    )
    [(offered, used)] = await offers.offers_for_incident(uow, COORDINATOR, data.incident_id)
    assert (offered.quantity_left, used) == (8, 2)
    assert uow.published[-1].reference_id == data.incident_id
    with pytest.raises(NotFound):
        await offers.offers_for_incident(uow, OTHER_COORDINATOR, data.incident_id)


async def test_a_peacetime_escalation_records_nothing(uow: FakeUnitOfWork) -> None:
    await offers.file_offer(
        uow, LIAISON, offer("tpj-u01", kind="vehicle", emergency_available=True), clock
    )
    data = escalation("taipingjie", "tpj-g01-m01", wartime=False)
    event = as_sent(data)
    before = uow.commits
    await offers.offer_for_emergency(uow, event, data, "resources_incidents", at(1))
    assert uow.commits == before
    assert await needs.list_needs(uow, COORDINATOR) == []


async def test_a_match_naming_an_offer_not_there_for_the_caller_is_refused_by_its_field(
    uow: FakeUnitOfWork,
) -> None:
    need = await needs.record_need(uow, GRID_LEADER, dict(NEED), clock)
    elsewhere = {**offer("cs-u01"), "community_code": "changshan"}
    theirs = await offers.file_offer(uow, OTHER_COORDINATOR, elsewhere, clock)
    # Another community's offer and one that never was: the same answer, on the body's field
    # (the need itself is there: a 404 would tell the client it is gone).
    for offer_id in (theirs.id, uuid4()):
        with pytest.raises(RuleBroken) as refused:
            await needs.change_need(
                uow, COORDINATOR, need.id, "match", {"resource_offer_ids": [offer_id]}, clock
            )
        assert refused.value.field == "resource_offer_ids"
        assert refused.value.detail == f"no resource offer {offer_id}"
    assert (await needs.get_need(uow, COORDINATOR, need.id)).matched_offer_ids == ()


async def test_a_liaison_files_and_sees_its_own_unit_s_offers_only(uow: FakeUnitOfWork) -> None:
    mine = await offers.file_offer(uow, LIAISON, offer("tpj-u01"), clock)
    theirs = await offers.file_offer(uow, OTHER_LIAISON, offer("tpj-u02"), clock)
    with pytest.raises(Forbidden):
        await offers.file_offer(uow, LIAISON, offer("tpj-u02"), clock)
    assert [o.id for o in await offers.list_offers(uow, LIAISON)] == [mine.id]
    with pytest.raises(NotFound):
        await offers.change_offer(uow, LIAISON, theirs.id, "refresh", {"quantity_left": 1}, clock)
    await offers.change_offer(uow, LIAISON, mine.id, "refresh", {"quantity_left": 3}, at(1))
    stale = await offers.stale(uow, COORDINATOR, "taipingjie", ["tpj-u03"], at(200))
    assert [s.member_unit_code for s in stale] == ["tpj-u03", "tpj-u01", "tpj-u02"]
    with pytest.raises(Forbidden):
        await offers.list_offers(uow, DEPARTMENT)


async def test_each_step_of_a_meetings_draft_tells_its_open_pages_its_name_only(
    uow: FakeUnitOfWork,
) -> None:
    meeting = await meetings.schedule_meeting(uow, COORDINATOR, a_meeting("tpj-u01", 1), clock)
    await meetings.build_meeting_agenda(uow, COORDINATOR, meeting.id, clock)
    present = {"units_present": ["tpj-u01"], "departments_present": []}
    await meetings.update_meeting(uow, COORDINATOR, meeting.id, "attendance", present, clock)
    uninvited = {"units_present": ["tpj-u01"], "departments_present": ["housing"]}
    with pytest.raises(RuleBroken):
        await meetings.update_meeting(uow, COORDINATOR, meeting.id, "attendance", uninvited, clock)
    recorded = [e for e in uow.published if type(e).__name__ == "MeetingRecorded"]
    assert [(e.meeting_id, e.step) for e in recorded] == [
        (meeting.id, "agenda"),
        (meeting.id, "attendance"),  # the refused step sent nothing
    ]
    # Who came is read on the meeting's page, with the reader's token, never from the event.
    assert set(recorded[-1].model_dump()) == {
        "meeting_id",
        "community_code",
        "quarter",
        "chair_unit_code",
        "step",
        "at",
    }
