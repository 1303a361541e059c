"""The deliberation's record: kinds at their levels, the record closed only when complete, each
agreed item turned once into one outcome, after the record is closed; counts, never names, in
its events."""

from __future__ import annotations

from uuid import uuid4

import pytest

from lianxin.errors import Conflict, NotFound, RuleBroken
from lianxin.testing.rules import refused
from resources.domain import events
from resources.domain.deliberations import Deliberation, Level, Outcome

from .builders import T0, days


def a_bench_meeting(**extra: object) -> Deliberation:
    given = {
        "community_code": "changshan",
        "kind": "bench_meeting",
        "level": None,
        "grid_node_code": "csh-b05",
        "topic": "楼道自行车堵塞",
        "held_at": T0,
        "recorded_by": "5栋楼栋长",
        "now": T0 + days(1),
    }
    return Deliberation.hold(**(given | extra))  # type: ignore[arg-type]


def recorded(d: Deliberation) -> Deliberation:
    d.record_attendance(households=[f"5栋1单元{n}01" for n in range(1, 13)])
    d.agree("院内建自行车棚")
    d.agree("消防检查楼道")
    d.agree("楼栋轮值清理楼道")
    d.write_minutes("十二户到会，议定三项。")
    return d


def test_each_kind_meets_at_its_level_and_a_mediation_names_its_own() -> None:
    assert a_bench_meeting().level is Level.BUILDING
    assert refused(lambda: a_bench_meeting(level="community")) == "level"
    assert refused(lambda: a_bench_meeting(kind="mediation")) == "level"
    assert a_bench_meeting(kind="mediation", level="community").level is Level.COMMUNITY
    assert refused(lambda: a_bench_meeting(kind="tea_party")) == "kind"


def test_a_meeting_is_recorded_after_it_took_place() -> None:
    assert refused(lambda: a_bench_meeting(held_at=T0 + days(2))) == "held_at"


def test_the_record_closes_only_with_attendance_items_and_minutes() -> None:
    d = a_bench_meeting()
    assert refused(lambda: d.close(T0 + days(1))) == "minutes"
    d.write_minutes("议定")
    assert refused(lambda: d.close(T0 + days(1))) == "households"
    d.record_attendance(mediators=["和事佬老张"])
    assert refused(lambda: d.close(T0 + days(1))) == "items"
    d.agree("双方各退一步")
    d.close(T0 + days(1))
    with pytest.raises(Conflict):
        d.agree("再加一项")


def test_each_item_is_turned_once_after_closing_and_the_events_name_nobody() -> None:
    d = recorded(a_bench_meeting())
    with pytest.raises(Conflict):
        d.turn(3, Outcome.RESOLVED_LOCALLY, "5栋楼栋长", T0 + days(1), settlement="每周轮值")
    d.close(T0 + days(1))
    need_id, incident_id = uuid4(), uuid4()
    d.turn(1, Outcome.NEED, "5栋楼栋长", T0 + days(1), need_id=need_id)
    d.turn(2, Outcome.INCIDENT, "5栋楼栋长", T0 + days(1), incident_id=incident_id)
    with pytest.raises(RuleBroken) as refusal:
        d.turn(3, Outcome.RESOLVED_LOCALLY, "5栋楼栋长", T0 + days(1), settlement=" ")
    assert refusal.value.field == "settlement"
    d.turn(3, Outcome.RESOLVED_LOCALLY, "5栋楼栋长", T0 + days(1), settlement="每周轮值")
    with pytest.raises(Conflict):
        d.turn(1, Outcome.RESOLVED_LOCALLY, "5栋楼栋长", T0 + days(1), settlement="改主意")
    with pytest.raises(NotFound):
        d.turn(4, Outcome.RESOLVED_LOCALLY, "5栋楼栋长", T0 + days(1), settlement="x")
    assert [i.outcome for i in d.items] == [
        Outcome.NEED,
        Outcome.INCIDENT,
        Outcome.RESOLVED_LOCALLY,
    ]
    assert d.items[0].ref(d.id) == f"deliberation:{d.id}#1"
    assert d.all_incident_ids == (incident_id,)
    closed = [e for e in d.events if isinstance(e, events.DeliberationClosed)]
    assert [(c.households, c.agreed_items) for c in closed] == [(12, 3)]
    assert "5栋1单元101" not in repr(d.events)


def test_who_came_names_nobody_twice_and_someone_came() -> None:
    d = a_bench_meeting()
    assert refused(lambda: d.record_attendance(households=["5-101", "5-101"])) == "households"
    assert refused(lambda: d.record_attendance()) == "households"
