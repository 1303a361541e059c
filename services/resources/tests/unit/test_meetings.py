from __future__ import annotations

from uuid import uuid4

import pytest

from lianxin.errors import Conflict, RuleBroken
from lianxin.testing.rules import refused
from resources.domain import events
from resources.domain.common import Quarter
from resources.domain.meetings import JointMeeting, MeetingStatus, build_agenda

from .builders import T0, a_need, days


def a_meeting() -> JointMeeting:
    return JointMeeting.schedule(
        community_code="yongxinglu",
        chair_unit_code="yunnan-bank",
        scheduled_at=T0 + days(10),
        now=T0,
        invited_department_codes=("judicial", "tax"),
    )


def test_the_agenda_puts_urgent_and_large_needs_first_and_skips_decided_ones() -> None:
    low = a_need(urgency="low", affected_count=500)
    big = a_need(affected_count=300)
    small = a_need(affected_count=3)
    urgent = a_need(urgency="high", affected_count=1)
    gone = a_need()
    gone.decline("重复", T0)
    agenda = build_agenda([low, small, gone, big, urgent], {})
    assert [n.need_id for n in agenda.needs] == [urgent.id, big.id, small.id, low.id]


def test_the_chair_and_quarter_come_from_the_schedule() -> None:
    meeting = a_meeting()
    assert (meeting.chair_unit_code, meeting.quarter) == ("yunnan-bank", Quarter(2026, 1))
    scheduled = meeting.events[0]
    assert isinstance(scheduled, events.MeetingScheduled) and scheduled.quarter == "2026-Q1"


def test_only_invited_departments_attend() -> None:
    meeting = a_meeting()
    with pytest.raises(RuleBroken) as refusal:
        meeting.record_attendance(["yunnan-bank"], ["police"])
    assert refusal.value.field == "departments_present"
    with pytest.raises(RuleBroken) as refusal:
        meeting.record_attendance(["yunnan-bank", "yunnan-bank"])
    assert refusal.value.field == "units_present"


def test_decisions_concern_needs_on_the_agenda_once() -> None:
    meeting = a_meeting()
    on, off = a_need(), a_need()
    meeting.set_agenda(build_agenda([on], {}))
    assert refused(lambda: meeting.decline_need(off.id, "no")) == "need_id"
    with pytest.raises(RuleBroken) as refusal:
        meeting.decide_project(title="x", need_ids=[], due_at=T0 + days(90))
    assert refusal.value.field == "need_ids"
    with pytest.raises(RuleBroken) as refusal:
        meeting.decide_project(title="x", need_ids=[on.id], due_at=T0)
    assert (refusal.value.field, refusal.value.type) == ("due_at", "due_before_meeting")
    with pytest.raises(RuleBroken) as refusal:  # a responsibility too, for the same reason
        meeting.give_responsibility(project_id=uuid4(), holder_code="u", task="t", due_at=T0)
    assert (refusal.value.field, refusal.value.type) == ("due_at", "due_before_meeting")
    meeting.decide_project(title="x", need_ids=[on.id], due_at=T0 + days(90))
    with pytest.raises(Conflict):
        meeting.decline_need(on.id, "changed our mind")
    assert len(meeting.decisions) == 1
    with pytest.raises(Conflict):  # the agenda cannot lose a need already decided
        meeting.set_agenda(build_agenda([off], {}))
    meeting.set_agenda(build_agenda([on, off], {}))
    assert meeting.agenda.need_ids == {on.id, off.id}


def test_closing_needs_minutes_and_attendance_then_publishes_each_decision() -> None:
    meeting = a_meeting()
    need, other = a_need(), a_need()
    meeting.set_agenda(build_agenda([need, other], {}))
    project = meeting.decide_project(title="连心亭", need_ids=[need.id], due_at=T0 + days(90))
    meeting.give_responsibility(
        project_id=project.project_id, holder_code="bank", task="拨款", due_at=T0 + days(30)
    )
    meeting.decline_need(other.id, "不属于社区事务")
    assert refused(lambda: meeting.close(T0 + days(10))) == "minutes"
    meeting.write_minutes("纪要")
    assert refused(lambda: meeting.close(T0 + days(10))) == "units_present"
    meeting.record_attendance(["bank", "school"], ["judicial"])
    meeting.events.clear()
    meeting.close(T0 + days(10))
    assert [type(e).__name__ for e in meeting.events] == [
        "ProjectDecided",
        "ResponsibilityGiven",
        "NeedDeclinedAtMeeting",
        "MeetingClosed",
    ]
    closed = meeting.events[-1]
    assert isinstance(closed, events.MeetingClosed) and closed.decisions == 3


def test_nothing_changes_after_closing() -> None:
    meeting = a_meeting()
    need = a_need()
    meeting.set_agenda(build_agenda([need], {}))
    meeting.record_attendance(["bank"])
    meeting.write_minutes("纪要")
    meeting.close(T0 + days(10))
    attempts = [
        lambda: meeting.set_agenda(build_agenda([], {})),
        lambda: meeting.record_attendance(["school"]),
        lambda: meeting.decline_need(need.id, "late"),
        lambda: meeting.decide_project(title="x", need_ids=[need.id], due_at=T0 + days(90)),
        lambda: meeting.give_responsibility(
            project_id=uuid4(), holder_code="b", task="t", due_at=T0 + days(90)
        ),
        lambda: meeting.write_minutes("changed"),
        lambda: meeting.close(T0 + days(11)),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict):
            attempt()
    assert (meeting.status, meeting.minutes, meeting.units_present) == (
        MeetingStatus.CLOSED,
        "纪要",
        ("bank",),
    )
