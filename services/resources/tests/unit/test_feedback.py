from __future__ import annotations

import pytest

from lianxin.errors import Conflict
from resources.domain.feedback import feedback_list
from resources.domain.meetings import JointMeeting, build_agenda
from resources.domain.needs import Need
from resources.domain.projects import Project

from .builders import T0, a_need, days


def closed_meeting(needs: list[Need]) -> JointMeeting:
    meeting = JointMeeting.schedule(
        community_code="yongxinglu", chair_unit_code="bank", scheduled_at=T0, now=T0
    )
    meeting.set_agenda(build_agenda(needs, {}))
    return meeting


def test_a_meeting_not_closed_has_no_feedback_yet() -> None:
    with pytest.raises(Conflict):
        feedback_list(closed_meeting([]), {}, {}, T0)


def test_each_decision_gets_its_line_and_state() -> None:
    built, shed, refused = a_need(), a_need(title="车棚"), a_need(title="加装电梯")
    meeting = closed_meeting([built, shed, refused])
    p1 = meeting.decide_project(title="连心亭", need_ids=[built.id], due_at=T0 + days(60))
    p2 = meeting.decide_project(title="车棚", need_ids=[shed.id], due_at=T0 + days(60))
    r = meeting.give_responsibility(
        project_id=p1.project_id, holder_code="builder", task="建亭", due_at=T0 + days(30)
    )
    meeting.decline_need(refused.id, "需业主三分之二同意，转居民议事会")
    meeting.record_attendance(["bank", "builder"])
    meeting.write_minutes("纪要")
    meeting.close(T0)

    pavilion = Project.create(
        community_code="yongxinglu",
        title="连心亭",
        due_at=p1.due_at,
        now=T0,
        project_id=p1.project_id,
    )
    pavilion.claim("builder", T0)
    pavilion.assign("builder", "建亭", r.due_at, T0, responsibility_id=r.responsibility_id)
    pavilion.complete(r.responsibility_id, T0 + days(20))
    pavilion.finish(T0 + days(50))
    pavilion.rate("h1", 4, T0 + days(51))
    refused.decline("需业主三分之二同意，转居民议事会", T0)

    lines = feedback_list(meeting, {pavilion.id: pavilion}, {refused.id: refused}, T0 + days(90))
    assert [(f.decision, f.state) for f in lines] == [
        ("project_created", "finished_on_time"),
        ("project_created", "missing"),  # the shed's decision has not reached a project yet
        ("responsibility_given", "done"),
        ("need_declined", "declined"),
    ]
    assert "rated 4.0 by 1" in lines[0].detail
    assert lines[1].subject_id == p2.project_id
    assert lines[3].detail.startswith("需业主")
