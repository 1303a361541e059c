"""The grid tree's rules, without I/O."""

from __future__ import annotations

import pytest

from organisation.domain import events
from organisation.domain.model import Community, Department, GridNode, RuleBroken

TAIPINGJIE = Community("taipingjie", "太平街社区", "解放碑街道")


def test_a_micro_grid_sits_under_a_grid_and_knows_its_path() -> None:
    grid = GridNode.register("g1", "第一网格", "grid", TAIPINGJIE, None, 1200)
    micro = GridNode.register("g1-m1", "1 号微网格", "micro_grid", TAIPINGJIE, grid, 96)
    assert micro.path == ["g1", "g1-m1"]
    assert micro.events == [
        events.GridNodeRegistered(
            "g1-m1", "1 号微网格", "micro_grid", "taipingjie", "g1", micro.path, 96
        )
    ]


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [("micro_grid", "building"), ("grid", "grid"), ("unit", "micro_grid"), ("building", None)],
)
def test_a_node_cannot_sit_under_the_wrong_kind(kind: str, parent_kind: str | None) -> None:
    parent = GridNode("p", "p", parent_kind, "taipingjie", None, ["p"]) if parent_kind else None
    with pytest.raises(RuleBroken) as broken:
        GridNode.register("n", "n", kind, TAIPINGJIE, parent)
    assert broken.value.field == "parent_code"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(RuleBroken) as broken:
        GridNode.register("n", "n", "district", TAIPINGJIE, None)
    assert broken.value.field == "kind"


def test_a_node_stays_in_its_parents_community() -> None:
    other = GridNode("x", "x", "grid", "changshan", None, ["x"])
    with pytest.raises(RuleBroken, match="another community"):
        GridNode.register("n", "n", "micro_grid", TAIPINGJIE, other)


def test_a_department_handles_at_least_one_category_each_once() -> None:
    with pytest.raises(RuleBroken):
        Department.register("police", "派出所", [])
    assert Department.register("police", "派出所", ["b", "a", "b"]).categories == ["a", "b"]
