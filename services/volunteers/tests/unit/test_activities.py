"""Shifts: places, sign-up and cancellation, check-in by the leader or the shift's code, hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from lianxin.errors import Conflict, RuleBroken
from lianxin.testing.rules import refused
from volunteers.domain import events
from volunteers.domain.activities import Activity, Attendance, Shift, round_hours, service_key
from volunteers.domain.volunteers import Team, Volunteer

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
START = NOW + timedelta(days=1)


def person(name: str = "志愿者") -> Volunteer:
    return Volunteer.register("yongxinglu", name, "13800000000", ["yx-g1"], NOW)


def setting(places: int = 2) -> tuple[Shift, Team, Volunteer]:
    team = Team.form("yongxinglu", "助老服务队", "red_vest", NOW)
    leader = person("队长")
    team.join(leader, NOW, role="leader")
    activity = Activity.plan(
        "yongxinglu", "yx-g1", "elder_care", "周三送午餐", NOW, team_id=team.id
    )
    shift = activity.schedule(START, START + timedelta(hours=3), "王奶奶家", places, NOW)
    return shift, team, leader


def test_planning_refuses_unknown_kinds_and_impossible_shifts() -> None:
    assert refused(lambda: Activity.plan("yongxinglu", "yx-g1", "karaoke", "x", NOW)) == "kind"
    activity = Activity.plan("yongxinglu", "yx-g1", "patrol", "夜间巡逻", NOW)
    for kw, field in (
        ({"ends_at": START - timedelta(hours=1)}, "ends_at"),
        ({"places": 0}, "places"),
        ({"place": ""}, "place"),
    ):
        args = {"starts_at": START, "ends_at": START + timedelta(hours=2), "place": "北门"}
        args |= {"places": 3, "now": NOW} | kw
        with pytest.raises(RuleBroken) as refusal:
            activity.schedule(**args)  # type: ignore[arg-type]
        assert refusal.value.field == field


def test_a_shift_out_of_order_or_in_the_past_names_its_rule_for_the_console_to_word() -> None:
    activity = Activity.plan("yongxinglu", "yx-g1", "patrol", "夜间巡逻", NOW)
    for starts, ends, field, rule in (
        (START, START, "ends_at", "ends_before_start"),
        (NOW, NOW + timedelta(hours=1), "starts_at", "not_ahead"),
    ):
        with pytest.raises(RuleBroken) as refusal:
            activity.schedule(starts, ends, "北门", 3, NOW)
        assert (refusal.value.field, refusal.value.type) == (field, rule)


def test_a_full_shift_refuses_and_a_cancellation_frees_a_place() -> None:
    shift, _, _ = setting(places=1)
    a, b = uuid4(), uuid4()
    shift.sign_up(a, NOW)
    with pytest.raises(Conflict, match="full"):
        shift.sign_up(b, NOW)
    with pytest.raises(Conflict, match="already"):
        shift.sign_up(a, NOW)
    shift.cancel(a, NOW)
    shift.sign_up(b, NOW)
    assert (shift.places_open, shift.sign_ups[a].status) == (0, Attendance.CANCELLED)


def test_no_sign_up_or_cancellation_once_the_shift_has_started() -> None:
    shift, _, _ = setting()
    a = uuid4()
    shift.sign_up(a, NOW)
    with pytest.raises(Conflict, match="started"):
        shift.cancel(a, START)
    with pytest.raises(Conflict, match="started"):
        shift.sign_up(uuid4(), START + timedelta(minutes=1))


def test_the_leader_checks_in_and_out_and_hours_round_down_to_quarters() -> None:
    shift, team, leader = setting()
    a = uuid4()
    shift.sign_up(a, NOW)
    shift.check_in(a, START - timedelta(minutes=10), leader=leader.id, team=team)
    hours = shift.check_out(a, START + timedelta(hours=2, minutes=59), leader=leader.id, team=team)
    assert hours == Decimal("3.00")  # 3 h 09 min → 3.00
    out = shift.events[-1]
    assert isinstance(out, events.CheckedOut)
    assert (out.hours, out.source_key) == (hours, service_key(shift.id, a))


def test_only_the_shifts_own_team_leader_checks_people_in() -> None:
    shift, team, _ = setting()
    a = uuid4()
    shift.sign_up(a, NOW)
    member = person()
    team.join(member, NOW)
    assert refused(lambda: shift.check_in(a, START, leader=member.id, team=team)) == "leader"
    other = Team.form("yongxinglu", "别队", "red_vest", NOW)
    other.join(member, NOW, role="leader")
    assert refused(lambda: shift.check_in(a, START, leader=member.id, team=other)) == "team_id"


def test_the_shifts_code_checks_in_and_a_wrong_one_names_the_field() -> None:
    shift, _, _ = setting()
    a = uuid4()
    shift.sign_up(a, NOW)
    # No code issued yet.
    assert refused(lambda: shift.check_in_with_code(a, "anything", START)) == "code"
    assert shift.issue_code(lambda: "482913") == "482913"
    assert refused(lambda: shift.check_in_with_code(a, "482914", START)) == "code"
    shift.check_in_with_code(a, "482913", START)
    assert shift.events[-1] == events.CheckedIn(shift.id, a, "code", START)
    assert shift.check_out_with_code(a, "482913", START + timedelta(minutes=59)) == Decimal("0.75")


def test_check_in_windows_and_states() -> None:
    shift, team, leader = setting()
    a = uuid4()
    assert refused(lambda: shift.check_in(a, START, leader=leader.id, team=team)) == "volunteer_id"
    shift.sign_up(a, NOW)
    with pytest.raises(Conflict, match="30 minutes"):
        shift.check_in(a, START - timedelta(hours=1), leader=leader.id, team=team)
    with pytest.raises(Conflict, match="not checked in"):
        shift.check_out(a, START, leader=leader.id, team=team)
    shift.check_in(a, START, leader=leader.id, team=team)
    with pytest.raises(Conflict):
        shift.check_in(a, START, leader=leader.id, team=team)


def test_no_shows_are_marked_after_the_end_and_only_for_who_never_came() -> None:
    shift, team, leader = setting()
    came, stayed_home = uuid4(), uuid4()
    shift.sign_up(came, NOW)
    shift.sign_up(stayed_home, NOW)
    shift.check_in(came, START, leader=leader.id, team=team)
    with pytest.raises(Conflict, match="ended"):
        shift.mark_no_show(stayed_home, START, leader=leader.id, team=team)
    end = shift.ends_at
    shift.mark_no_show(stayed_home, end, leader=leader.id, team=team)
    with pytest.raises(Conflict):
        shift.mark_no_show(came, end, leader=leader.id, team=team)
    assert shift.sign_ups[stayed_home].status is Attendance.NO_SHOW
    assert shift.sign_ups[stayed_home].hours == 0


@pytest.mark.parametrize(
    ("minutes", "hours"), [(0, "0"), (14, "0"), (15, "0.25"), (59, "0.75"), (61, "1"), (-5, "0")]
)
def test_round_hours(minutes: int, hours: str) -> None:
    assert round_hours(START, START + timedelta(minutes=minutes)) == Decimal(hours)


def test_a_coordinator_calls_a_shift_off_and_those_signed_up_are_released() -> None:
    shift, _, _ = setting(places=3)
    a, b = uuid4(), uuid4()
    shift.sign_up(a, NOW)
    shift.sign_up(b, NOW)
    shift.cancel(b, NOW)  # she withdrew herself earlier: not released, still cancelled
    assert refused(lambda: shift.call_off("  ", "coordinator", NOW)) == "reason"
    assert shift.call_off(" 暴雪预警 ", "coordinator", NOW) == [a]
    assert shift.events[-1] == events.ShiftCalledOff(shift.id, "暴雪预警", "coordinator", (a,), NOW)
    assert (shift.sign_ups[a].status, shift.sign_ups[b].status) == (
        Attendance.RELEASED,
        Attendance.CANCELLED,
    )
    assert (shift.called_off_at, shift.called_off_reason) == (NOW, "暴雪预警")


def test_a_called_off_shift_takes_no_sign_up_cancellation_check_in_nor_second_call_off() -> None:
    shift, team, leader = setting()
    a = uuid4()
    shift.sign_up(a, NOW)
    shift.issue_code(lambda: "482913")
    shift.call_off("暴雪预警", "coordinator", NOW)
    for attempt in (
        lambda: shift.sign_up(uuid4(), NOW),
        lambda: shift.sign_up(a, NOW),
        lambda: shift.cancel(a, NOW),
        lambda: shift.check_in(a, START, leader=leader.id, team=team),
        lambda: shift.check_in_with_code(a, "482913", START),
        lambda: shift.call_off("again", "coordinator", NOW),
    ):
        with pytest.raises(Conflict, match="called off: 暴雪预警"):
            attempt()


def test_a_shift_is_called_off_only_before_it_starts_and_before_anyone_checked_in() -> None:
    shift, team, leader = setting()
    a = uuid4()
    shift.sign_up(a, NOW)
    with pytest.raises(Conflict, match="started") as late:
        shift.call_off("太晚了", "coordinator", START)
    assert (late.value.field, late.value.type) == ("reason", "shift_started")
    shift.check_in(a, START - timedelta(minutes=10), leader=leader.id, team=team)
    with pytest.raises(Conflict, match="checked in") as under_way:
        shift.call_off("太晚了", "coordinator", START - timedelta(minutes=5))
    assert under_way.value.type == "shift_under_way"
    assert not shift.called_off
