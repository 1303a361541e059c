from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianxin.errors import Conflict, RuleBroken
from lianxin.testing.rules import refused
from resources.domain import events
from resources.domain.claims import claim_flags
from resources.domain.common import Quarter
from resources.domain.projects import Project, ProjectStatus
from resources.domain.responsibilities import responsibilities_list

from .builders import T0, days


def a_project(slots: int = 1, due: float = 120) -> Project:
    return Project.create(
        community_code="yongxinglu", title="连心亭", due_at=T0 + days(due), now=T0, slots=slots
    )


def test_claims_one_per_unit_and_no_more_than_the_slots() -> None:
    project = a_project(slots=2)
    project.claim("builder", T0 + days(1))
    with pytest.raises(Conflict, match="already claimed"):
        project.claim("builder", T0 + days(2))
    project.claim("bank", T0 + days(2))
    with pytest.raises(Conflict, match="full: claimed by builder, bank"):
        project.claim("school", T0 + days(3))
    assert project.claimant_codes == ("builder", "bank")
    assert project.status is ProjectStatus.UNDER_WAY


def test_a_third_claim_in_a_year_is_allowed_and_flagged() -> None:
    project = a_project()
    project.claim("bank", T0, claims_this_year=2)
    claimed = project.events[-1]
    assert isinstance(claimed, events.ProjectClaimed) and claimed.beyond_practice


def test_claim_flags_three_claims_and_none_by_the_end_of_q1() -> None:
    projects = [a_project() for _ in range(3)]
    for p in projects:
        p.claim("busy", T0 + days(1))
    units = ["busy", "idle"]
    before = claim_flags(units, projects, 2026, Quarter(2026, 1).end - days(1))
    assert [f.member_unit_code for f in before] == ["busy"]  # idle still has time
    flags = claim_flags(units, projects, 2026, Quarter(2026, 1).end)
    assert [(f.member_unit_code, f.flag, f.claims) for f in flags] == [
        ("busy", "beyond_practice", 3),
        ("idle", "none_by_end_of_q1", 0),
    ]


def test_responsibilities_go_overdue_rung_by_rung_once_each() -> None:
    project = a_project()
    r = project.assign("builder", "建亭", T0 + days(30), T0)
    assert project.check_deadlines(T0 + days(30)) == []  # due at that instant: not yet late
    late_timer = project.check_deadlines(T0 + days(70))  # a late row takes both rungs at once
    assert [e.rung for e in late_timer] == ["community", "street"]
    project = a_project()
    r = project.assign("builder", "建亭", T0 + days(30), T0)
    (community,) = project.check_deadlines(T0 + days(31))
    assert (community.responsibility_id, community.rung) == (r.id, "community")
    assert project.check_deadlines(T0 + days(40)) == []  # a timer firing again does no harm
    (street,) = project.check_deadlines(T0 + days(61))  # one more period of 30 days
    assert street.rung == "street"
    assert project.check_deadlines(T0 + days(200)) == []
    overdue = [e for e in project.events if isinstance(e, events.ResponsibilityOverdue)]
    assert [e.rung for e in overdue] == ["community", "street"]
    project.claim("builder", T0 + days(1))
    project.complete(r.id, T0 + days(62))
    done = project.events[-1]
    assert isinstance(done, events.ResponsibilityCompleted) and done.late
    with pytest.raises(Conflict):
        project.complete(r.id, T0 + days(63))
    assert refused(lambda: project.complete(uuid4(), T0)) == "responsibility_id"


def test_bad_responsibility_and_project_inputs_name_the_field() -> None:
    project = a_project()
    assert refused(lambda: project.assign("builder", "建亭", T0 - days(1), T0)) == "due_at"
    assert refused(lambda: project.assign(" ", "建亭", T0 + days(1), T0)) == "holder_code"
    with pytest.raises(RuleBroken) as refusal:
        Project.create(community_code="c", title="t", due_at=T0 + days(1), now=T0, slots=0)
    assert refusal.value.field == "slots"


def test_milestones_make_the_percentage() -> None:
    project = a_project()
    ground = project.add_milestone("地基", T0 + days(30), T0)
    roof = project.add_milestone("亭顶", T0 + days(60), T0)
    with pytest.raises(Conflict):  # nobody has claimed it: nobody reports
        project.report_progress("builder", "开工", T0, milestones={ground.id: 10})
    project.claim("builder", T0)
    project.report_progress("builder", "地基完成", T0 + days(30), milestones={ground.id: 100})
    assert project.percent_done == 50 and ground.reached_at == T0 + days(30)
    with pytest.raises(RuleBroken) as refusal:
        project.report_progress("builder", "x", T0, milestones={roof.id: 101})
    assert refusal.value.field == "milestones"
    with pytest.raises(RuleBroken) as refusal:
        project.report_progress("builder", "x", T0, percent_done=60)
    assert refusal.value.field == "percent_done"
    reported = project.events[-1]
    assert isinstance(reported, events.ProgressReported) and reported.percent_done == 50


def test_finishing_needs_a_claim_and_every_responsibility_done() -> None:
    project = a_project()
    with pytest.raises(Conflict, match="never claimed"):
        project.finish(T0)
    project.claim("builder", T0)
    r = project.assign("builder", "建亭", T0 + days(30), T0)
    with pytest.raises(Conflict, match="建亭"):
        project.finish(T0 + days(20))
    project.complete(r.id, T0 + days(20))
    project.finish(T0 + days(21))
    assert project.on_time and project.percent_done == 100
    with pytest.raises(Conflict):
        project.claim("bank", T0 + days(22))


def test_residents_rate_a_finished_project_once_per_household() -> None:
    project = a_project()
    with pytest.raises(Conflict):
        project.rate("h1", 5, T0)
    project.claim("builder", T0)
    project.finish(T0 + days(1))
    assert refused(lambda: project.rate("h1", 6, T0 + days(2))) == "rating"
    project.rate("h1", 5, T0 + days(2))
    project.rate("h2", 2, T0 + days(2))
    with pytest.raises(Conflict):
        project.rate("h1", 1, T0 + days(3))
    assert project.mean_rating == 3.5


def test_the_responsibilities_list_puts_overdue_first() -> None:
    pavilion, shed = a_project(), a_project()
    late = pavilion.assign("builder", "建亭", T0 + days(10), T0)
    soon = shed.assign("bank", "拨款", T0 + days(20), T0)
    done = shed.assign("builder", "验收", T0 + days(5), T0)
    shed.claim("builder", T0)
    shed.complete(done.id, T0 + days(4))
    lines = responsibilities_list([pavilion, shed], T0 + days(11))
    assert [(x.responsibility_id, x.state) for x in lines] == [
        (late.id, "overdue"),
        (done.id, "done"),
        (soon.id, "in_hand"),
    ]
    assert [x.task for x in responsibilities_list([pavilion, shed], T0, "bank")] == ["拨款"]


# How many examples: the run's profile (lianxin.testing.hypothesis_profiles).
@settings(deadline=None, database=None)
@given(
    slots=st.integers(min_value=1, max_value=4),
    claimants=st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=12),
)
def test_claims_never_exceed_the_slots_nor_repeat_a_unit(slots: int, claimants: list[str]) -> None:
    project = a_project(slots=slots)
    winners = []
    for unit in claimants:
        try:
            project.claim(unit, T0)
        except Conflict:
            continue
        winners.append(unit)
    assert len(winners) == len(set(winners)) <= slots
    assert list(project.claimant_codes) == winners
    assert winners == list(dict.fromkeys(claimants))[:slots]
