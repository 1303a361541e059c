"""Project handlers on the fake unit of work: the overdue ladder taken once, claims refused by
scope before anything the body says, declines decided at a meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lianxin.errors import Conflict, Forbidden, NotFound
from resources.service_layer import evaluation, meetings, needs, projects, wishes

from .builders import T0, a_meeting, at
from .conftest import (
    COORDINATOR,
    DEPARTMENT,
    GRID_LEADER,
    LIAISON,
    OTHER_COORDINATOR,
    FakeUnitOfWork,
)


async def a_claimed_project(uow: FakeUnitOfWork):
    project = await projects.create_project(
        uow,
        COORDINATOR,
        {"community_code": "taipingjie", "title": "路灯", "due_at": T0 + timedelta(days=90)},
        at(0),
    )
    await projects.change_project(uow, LIAISON, project.id, "claim", {}, at(0))
    await projects.change_project(
        uow,
        COORDINATOR,
        project.id,
        "assign",
        {"holder_code": "tpj-u01", "task": "装灯", "due_at": T0 + timedelta(days=10)},
        at(0),
    )
    return project


async def test_the_overdue_ladder_climbs_each_rung_once(uow: FakeUnitOfWork) -> None:
    await a_claimed_project(uow)
    assert await projects.check_deadlines(uow, at(5)) == 0
    assert await projects.check_deadlines(uow, at(11)) == 1
    assert await projects.check_deadlines(uow, at(12)) == 0
    assert await projects.check_deadlines(uow, at(21)) == 1
    assert await projects.check_deadlines(uow, at(40)) == 0
    rungs = [e.rung for e in uow.published if type(e).__name__ == "ResponsibilityOverdue"]
    assert rungs == ["community", "street"]
    [line] = await projects.responsibilities(uow, LIAISON, None, None, at(40))
    assert (line.state, line.holder_code) == ("overdue", "tpj-u01")


async def test_claims_are_refused_by_scope_before_the_body_is_read(uow: FakeUnitOfWork) -> None:
    project = await a_claimed_project(uow)
    with pytest.raises(NotFound):
        await projects.change_project(uow, DEPARTMENT, project.id, "claim", {}, at(1))
    with pytest.raises(NotFound):
        await projects.change_project(
            uow, OTHER_COORDINATOR, project.id, "claim", {"member_unit_code": "csh-u01"}, at(1)
        )
    with pytest.raises(Forbidden):
        await projects.change_project(
            uow, GRID_LEADER, project.id, "claim", {"member_unit_code": "tpj-u02"}, at(1)
        )
    with pytest.raises(Conflict):  # one slot, taken
        await projects.change_project(
            uow, COORDINATOR, project.id, "claim", {"member_unit_code": "tpj-u02"}, at(1)
        )
    wish = await wishes.record_wish(
        uow,
        GRID_LEADER,
        {
            "community_code": "taipingjie",
            "grid_node_code": "tpj-g01",
            "title": "一把椅子",
            "resident_name": "张",
            "resident_contact": "1",
        },
    )
    with pytest.raises(NotFound):  # not a 422 about the missing claimant: it does not exist
        await wishes.change_wish(uow, DEPARTMENT, wish.id, "claim", {})


async def test_a_need_declined_at_a_meeting_is_declined_with_its_reason(
    uow: FakeUnitOfWork,
) -> None:
    need = await needs.record_need(
        uow,
        GRID_LEADER,
        {
            "community_code": "taipingjie",
            "grid_node_code": "tpj-g01",
            "category": "parking",
            "title": "停车位",
            "affected": "residents",
            "affected_count": 30,
            "urgency": "low",
        },
        at(0),
    )
    meeting = await meetings.schedule_meeting(uow, COORDINATOR, a_meeting("tpj-u01", 1), at(0))
    await meetings.build_meeting_agenda(uow, COORDINATOR, meeting.id, at(0))
    step = meetings.update_meeting
    reason = {"need_id": need.id, "reason": "用地不足, 转街道统筹"}
    await step(uow, COORDINATOR, meeting.id, "decline", reason, at(1))
    await step(
        uow,
        COORDINATOR,
        meeting.id,
        "attendance",
        {"units_present": ["tpj-u01"], "departments_present": []},
        at(1),
    )
    await step(uow, COORDINATOR, meeting.id, "minutes", {"minutes": "停车位暂不立项"}, at(1))
    with pytest.raises(Forbidden):
        await meetings.close_meeting(uow, LIAISON, meeting.id, at(1))
    await meetings.close_meeting(uow, COORDINATOR, meeting.id, at(1))
    declined = await needs.get_need(uow, COORDINATOR, need.id)
    assert (declined.status.value, declined.outcome) == ("declined", "用地不足, 转街道统筹")
    assert uow.types()[-3:] == ["NeedDeclined", "NeedDeclinedAtMeeting", "MeetingClosed"]


async def test_a_liaison_marks_done_only_what_its_own_unit_holds(uow: FakeUnitOfWork) -> None:
    project = await a_claimed_project(uow)  # tpj-u01 claimed it and holds one responsibility
    assigned = await projects.change_project(
        uow,
        COORDINATOR,
        project.id,
        "assign",
        {"holder_code": "tpj-u02", "task": "修路", "due_at": T0 + timedelta(days=10)},
        at(0),
    )
    theirs, ours = sorted(assigned.responsibilities, key=lambda r: r.holder_code != "tpj-u02")
    with pytest.raises(NotFound):
        await projects.change_project(
            uow, LIAISON, project.id, "complete", {"responsibility_id": theirs.id}, at(1)
        )
    done = await projects.change_project(
        uow, LIAISON, project.id, "complete", {"responsibility_id": ours.id}, at(1)
    )
    assert [r.holder_code for r in done.responsibilities if r.done_at] == ["tpj-u01"]


async def test_a_liaison_reads_its_own_units_year_review_only(uow: FakeUnitOfWork) -> None:
    await a_claimed_project(uow)
    units = ["tpj-u01", "tpj-u02"]
    everyone = await evaluation.year_review(uow, COORDINATOR, "taipingjie", 2026, units)
    assert {r.member_unit_code for r in everyone} == {"tpj-u01", "tpj-u02"}
    own = await evaluation.year_review(uow, LIAISON, "taipingjie", 2026, units)
    assert [r.member_unit_code for r in own] == ["tpj-u01"]
