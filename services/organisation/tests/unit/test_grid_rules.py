"""The grid tree's rules, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lianxin.errors import Conflict, RuleBroken
from organisation.domain import events
from organisation.domain.grid import ALLOWED_PARENTS, Counts, GridNode, GridTree
from organisation.domain.model import Community

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TAIPINGJIE = Community("taipingjie", "太平街社区", "dunren", "fuling", 0.36)


def tree() -> GridTree:
    """g1 → c1 → (m1 → b1 → u1, m2); g2 (a business district) → m3."""
    t = GridTree(TAIPINGJIE, [])
    t.add("g1", "第一网格", "grid", None)
    t.add("c1", "朝华新城", "compound", "g1", addresses=["朝华新城"])
    t.add("m1", "朝华新城第1微网格", "micro_grid", "c1", households=96, residents=300)
    t.add("b1", "1栋", "building", "m1", households=30, merchants=4, addresses=["朝华新城1栋"])
    t.add("u1", "1栋1单元", "unit", "b1", households=12, addresses=["朝华新城1栋1单元"])
    t.add("m2", "朝华新城第2微网格", "micro_grid", "c1", households=95, residents=280)
    t.add("g2", "第八网格", "grid", None, grid_type="business_district")
    t.add("m3", "商圈第1微网格", "micro_grid", "g2", households=90, merchants=300)
    return t


def test_a_node_knows_its_path_and_its_registration_is_an_event() -> None:
    t = tree()
    u1 = t.node("u1")
    assert u1.path == ["g1", "c1", "m1", "b1", "u1"]
    [registered] = u1.events
    assert isinstance(registered, events.Registered) and registered.aggregate == "grid_node"
    assert registered.state["path"] == u1.path and registered.state["version"] == 1


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        ("micro_grid", "building"),
        ("micro_grid", "unit"),
        ("grid", "grid"),
        ("compound", "micro_grid"),
        ("unit", "micro_grid"),
        ("building", None),
        ("unit", None),
    ],
)
def test_a_node_cannot_sit_under_the_wrong_kind(kind: str, parent_kind: str | None) -> None:
    assert parent_kind not in ALLOWED_PARENTS[kind]
    parent = GridNode("p", "p", parent_kind, "taipingjie", None, ["p"]) if parent_kind else None
    with pytest.raises(RuleBroken) as broken:
        GridNode.register("n", "n", kind, TAIPINGJIE, parent)
    assert broken.value.field == "parent_code"


def test_buildings_may_sit_straight_under_a_grid_as_in_changshan() -> None:
    grid = GridNode.register("g", "第一网格", "grid", TAIPINGJIE, None)
    assert GridNode.register("b", "1栋", "building", TAIPINGJIE, grid).path == ["g", "b"]


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"kind": "district"}, "kind"),
        ({"households": -1}, "households"),
        ({"grid_type": "market"}, "grid_type"),
        ({"name": "  "}, "name"),
        ({"addresses": ["1栋", " 1 栋 "]}, "addresses"),
    ],
)
def test_bad_details_name_their_field(details: dict, field: str) -> None:
    args = {"code": "g", "name": "网格", "kind": "grid", **details}
    with pytest.raises(RuleBroken) as broken:
        GridNode.register(community=TAIPINGJIE, parent=None, **args)
    assert broken.value.field == field


def test_only_a_grid_has_a_grid_type_and_a_grid_is_residential_by_default() -> None:
    t = tree()
    assert t.node("g1").grid_type == "residential"
    assert t.node("g2").grid_type == "business_district"
    with pytest.raises(RuleBroken, match="only a grid"):
        t.add("c9", "x", "compound", "g1", grid_type="residential")


def test_a_node_stays_in_its_parents_community_and_codes_are_unique() -> None:
    other = GridNode("x", "x", "grid", "changshan", None, ["x"])
    with pytest.raises(RuleBroken, match="another community"):
        GridNode.register("n", "n", "micro_grid", TAIPINGJIE, other)
    with pytest.raises(RuleBroken) as broken:
        tree().add("m1", "again", "micro_grid", "c1")
    assert broken.value.field == "code"
    with pytest.raises(RuleBroken) as broken:
        tree().add("m9", "lost", "micro_grid", "nowhere")
    assert broken.value.field == "parent_code"


def test_totals_add_up_the_subtree() -> None:
    totals = tree().totals()
    assert totals["b1"] == Counts(42, 0, 4)
    assert totals["m1"] == Counts(138, 300, 4)
    assert totals["c1"] == totals["g1"] == Counts(233, 580, 4)
    assert totals["g2"] == Counts(90, 0, 300)


def test_moving_keeps_every_ancestors_totals_right() -> None:
    t = tree()
    moved = t.move("b1", "m2")
    assert [n.code for n in moved] == ["b1", "u1"]
    totals = t.totals()
    assert totals["m1"] == Counts(96, 300, 0)
    assert totals["m2"] == Counts(95 + 42, 280, 4)
    assert totals["g1"] == Counts(233, 580, 4)  # moved within g1: unchanged

    t.move("b1", "g2")  # to another grid: the old one loses, the new one gains
    totals = t.totals()
    assert totals["g1"] == Counts(191, 580, 0)
    assert totals["g2"] == Counts(132, 0, 304)


def test_a_move_updates_the_whole_subtrees_paths_each_with_an_event() -> None:
    t = tree()
    t.move("m1", "g2")
    for code, path in {
        "m1": ["g2", "m1"],
        "b1": ["g2", "m1", "b1"],
        "u1": ["g2", "m1", "b1", "u1"],
    }.items():
        node = t.node(code)
        assert node.path == path and node.version == 2
        update = node.events[-1]
        assert isinstance(update, events.Updated) and update.state["path"] == path
    assert t.node("m1").parent_code == "g2"
    assert t.node("m1").events[-1].changed == ("parent_code", "path")
    assert t.node("b1").events[-1].changed == ("path",)
    assert t.node("m2").version == 1  # a sibling stays where it was


@pytest.mark.parametrize("under", ["m1", "b1", "u1"])
def test_a_node_cannot_move_under_itself_or_its_own_subtree(under: str) -> None:
    t = tree()
    with pytest.raises(RuleBroken, match="cycle") as broken:
        t.move("m1", under)
    assert broken.value.field == "parent_code"
    assert t.node("m1").path == ["g1", "c1", "m1"]


def test_a_move_keeps_the_kind_rules() -> None:
    t = tree()
    with pytest.raises(RuleBroken, match="a micro_grid cannot sit under a building"):
        t.move("m2", "b1")
    with pytest.raises(RuleBroken, match="a compound cannot sit under a micro_grid"):
        t.move("c1", "m3")
    with pytest.raises(RuleBroken, match="grid cannot sit under"):
        t.move("g2", "g1")


def test_moving_to_the_same_parent_changes_nothing() -> None:
    t = tree()
    assert t.move("m1", "c1") == []
    assert t.node("m1").version == 1


def test_retiring_needs_an_empty_subtree_and_removes_the_node_from_totals() -> None:
    t = tree()
    with pytest.raises(Conflict, match="active node"):
        t.retire("b1", NOW)
    t.retire("u1", NOW)
    t.retire("b1", NOW)
    assert t.node("b1").retired_at == NOW and t.node("b1").version == 2
    assert isinstance(t.node("b1").events[-1], events.Retired)
    assert t.totals()["m1"] == Counts(96, 300, 0)
    with pytest.raises(Conflict, match="retired"):
        t.retire("b1", NOW)
    with pytest.raises(RuleBroken, match="retired"):
        t.add("u9", "1栋9单元", "unit", "b1")


def test_the_node_serving_an_address_is_the_longest_declared_prefix() -> None:
    t = tree()
    assert t.serving("朝华新城1栋1单元302").code == "u1"
    assert t.serving("朝华新城 1 栋 2 单元").code == "b1"
    assert t.serving("朝华新城１栋").code == "b1"  # full-width digits are normalised
    assert t.serving("朝华新城11栋").code == "c1"  # "1栋" does not prefix "11栋"
    assert t.serving("长江星辰3栋") is None
    t.retire("u1", NOW)
    assert t.serving("朝华新城1栋1单元302").code == "b1"


def test_an_update_is_an_event_with_what_changed_and_nothing_is_no_event() -> None:
    node = tree().node("m1")
    node.events.clear()
    assert node.update({"households": 96, "name": "朝华新城第1微网格"}) == []
    assert node.events == [] and node.version == 1
    assert node.update({"households": 98, "addresses": ["1栋"]}) == ["households", "addresses"]
    [update] = node.events
    assert update.changed == ("households", "addresses") and update.state["version"] == 2
