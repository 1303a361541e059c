"""The care register's rules: who reads an entry, what a visit needs, what is overdue, birthdays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from lianxin.errors import Conflict, RuleBroken
from organisation.domain.care import CareEntry, Reader, Visit, birthdays, grid_counts

NOW = datetime(2026, 11, 29, 9, tzinfo=UTC)


@dataclass
class Node:
    code: str = "b1"
    community_code: str = "yongxinglu"
    path: list[str] = field(default_factory=lambda: ["g1", "b1"])
    retired_at: datetime | None = None


def fields(**changes) -> dict:
    return {
        "name": "王秀英",
        "birth_date": date(1941, 11, 12),
        "care_groups": ["elderly", "living_alone"],
        "carers": [
            {"kind": "party_household", "username": "neighbour", "name": "李桂芳"},
            {"kind": "family_contact", "username": "son", "name": "王磊"},
        ],
        "consent": {"given_by": "本人", "purposes": ["care_visits"]},
        "plans": [{"kind": "home_visit", "every_days": 7}],
        **changes,
    }


def entry(code: str = "e1", **changes) -> CareEntry:
    return CareEntry.register(code, Node(), "g1", fields(**changes), NOW)


def test_only_carers_the_grid_leader_and_the_community_coordinators_read_an_entry() -> None:
    wang = entry()
    assert wang.readable_by(Reader("neighbour", "volunteer"))
    assert wang.readable_by(Reader("son", "volunteer"))
    assert wang.readable_by(Reader("leader", "grid_leader", grid_nodes=frozenset({"g1"})))
    assert wang.readable_by(
        Reader("c", "community_coordinator", communities=frozenset({"yongxinglu"}))
    )
    assert not wang.readable_by(Reader("other", "grid_leader", grid_nodes=frozenset({"g2"})))
    assert not wang.readable_by(
        Reader("c", "community_coordinator", communities=frozenset({"taipingjie"}))
    )
    assert not wang.readable_by(
        Reader("s", "street_coordinator", communities=frozenset({"yongxinglu"}))
    )
    assert not wang.readable_by(
        Reader("a", "alliance_admin", communities=frozenset({"yongxinglu"}))
    )
    assert not wang.readable_by(Reader("v", "volunteer", communities=frozenset({"yongxinglu"})))


@pytest.mark.parametrize(
    ("changes", "field_name"),
    [
        ({"care_groups": ["rich"]}, "care_groups"),
        ({"care_groups": []}, "care_groups"),
        ({"name": " "}, "name"),
        ({"birth_date": date(2027, 1, 1)}, "birth_date"),
        ({"consent": {"given_by": "", "purposes": ["x"]}}, "consent.given_by"),
        ({"consent": {"given_by": "本人", "purposes": []}}, "consent.purposes"),
        ({"carers": [{"kind": "friend", "username": "x"}]}, "carers.kind"),
        ({"plans": [{"kind": "home_visit", "every_days": 0}]}, "plans.every_days"),
    ],
)
def test_a_bad_entry_names_its_field(changes: dict, field_name: str) -> None:
    with pytest.raises(RuleBroken) as refused:
        entry(**changes)
    assert refused.value.field == field_name


def test_a_person_not_visited_within_the_period_is_overdue() -> None:
    wang = entry()
    assert wang.overdue({}, NOW + timedelta(days=6)) == []
    assert [d.kind for d in wang.overdue({}, NOW + timedelta(days=8))] == ["home_visit"]
    visited = {"home_visit": NOW + timedelta(days=5)}
    assert wang.overdue(visited, NOW + timedelta(days=8)) == []
    assert [d.due_at for d in wang.overdue(visited, NOW + timedelta(days=13))] == [
        NOW + timedelta(days=12)
    ]


def test_a_visit_needs_a_known_kind_a_short_outcome_and_a_past_time() -> None:
    wang = entry()
    visit = Visit.record(
        "v1",
        wang,
        {"kind": "home_visit", "outcome": "滑倒，需要扶手", "needs_follow_up": True},
        "neighbour",
        NOW,
    )
    assert (visit.grid_code, visit.by, visit.at) == ("g1", "neighbour", NOW)
    for bad, name in (
        ({"kind": "party", "outcome": "x"}, "kind"),
        ({"kind": "haircut", "outcome": " "}, "outcome"),
        ({"kind": "haircut", "outcome": "x" * 201}, "outcome"),
        ({"kind": "haircut", "outcome": "x", "at": NOW + timedelta(hours=1)}, "at"),
    ):
        with pytest.raises(RuleBroken) as refused:
            Visit.record("v2", wang, bad, "neighbour", NOW)
        assert refused.value.field == name
    visit.link_need("n1")
    visit.link_need("n1")  # the same link again changes nothing
    with pytest.raises(Conflict):
        visit.link_need("n2")
    plain = Visit.record("v3", wang, {"kind": "haircut", "outcome": "理发"}, "son", NOW)
    with pytest.raises(Conflict):
        plain.link_need("n1")


def test_a_visit_takes_minutes_and_names_its_visitor_but_never_a_family_contact() -> None:
    """The visitor is who volunteers credits (issue #18); the person's family contact is left
    out: their account could point at the person."""
    wang = entry()
    meal = {"kind": "meal_delivery", "outcome": "午餐已送到", "minutes": 45}
    by_neighbour = Visit.record("v1", wang, meal, "neighbour", NOW)
    assert (by_neighbour.minutes, by_neighbour.visitor(wang)) == (45, "neighbour")
    assert Visit.record("v2", wang, meal, "son", NOW).visitor(wang) is None
    assert Visit.record("v3", wang, meal, "grid-leader", NOW).visitor(wang) == "grid-leader"
    assert Visit.record("v4", wang, {**meal, "minutes": None}, "neighbour", NOW).minutes is None
    for bad in (0, 721, "60", 1.5):
        with pytest.raises(RuleBroken) as refused:
            Visit.record("v5", wang, {**meal, "minutes": bad}, "neighbour", NOW)
        assert refused.value.field == "minutes"


def test_birthdays_of_the_month_and_counts_per_grid_carry_the_register() -> None:
    wang, zhang = entry("e1"), entry("e2", birth_date=date(1938, 5, 3), care_groups=["disabled"])
    assert [e.code for e in birthdays([wang, zhang], 11)] == ["e1"]
    with pytest.raises(RuleBroken):
        birthdays([wang], 13)
    (g1,) = grid_counts([wang, zhang], {"e1": {"home_visit": NOW}}, NOW + timedelta(days=8))
    assert (g1.people, g1.overdue, g1.by_group["disabled"], g1.by_group["elderly"]) == (2, 2, 1, 1)
