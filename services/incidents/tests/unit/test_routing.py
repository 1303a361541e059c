"""Routing rules and service levels: the 12345 defaults, specificity, editing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidents.domain.routing import (
    DEFAULT_SERVICE_LEVELS,
    URGENCIES,
    RoutingRule,
    RoutingTable,
    ServiceLevel,
    Suggestion,
)
from lianxin.errors import RuleBroken


@pytest.mark.parametrize(
    ("urgency", "resolve_within"),
    [
        ("emergency", timedelta(hours=2)),
        ("utilities", timedelta(hours=24)),
        ("general", timedelta(days=7)),
        ("complex", timedelta(days=15)),
    ],
)
def test_the_defaults_are_beijing_12345s(urgency: str, resolve_within: timedelta) -> None:
    level = RoutingTable("nanmenshan").service_level(urgency)
    assert level.acknowledge_within == timedelta(minutes=30)
    assert level.resolve_within == resolve_within


def test_every_urgency_has_a_default() -> None:
    assert set(DEFAULT_SERVICE_LEVELS) == set(URGENCIES)


def _table() -> RoutingTable:
    return RoutingTable.with_rules(
        "taipingjie-alliance",
        [
            RoutingRule("power_supply", "*", ("power_supply", "property")),
            RoutingRule("illegal_construction", "*", ("housing",)),
            RoutingRule("illegal_construction", "jiefangbei", ("city_management",)),
            RoutingRule(
                "illegal_construction", "taipingjie", ("city_management", "housing", "police")
            ),
        ],
    )


def test_the_most_specific_area_wins() -> None:
    table = _table()
    # The community's own rule beats its street's, which beats the alliance-wide one.
    assert table.suggest("illegal_construction", "taipingjie", "jiefangbei") == (
        "city_management",
        ("housing", "police"),
    )
    assert table.suggest("illegal_construction", "other", "jiefangbei") == Suggestion(
        "city_management", ()
    )
    assert table.suggest("illegal_construction", "other", "other_street") == ("housing", ())


def test_the_lead_comes_first_and_the_rest_co_handle() -> None:
    suggestion = _table().suggest("power_supply", "taipingjie", "jiefangbei")
    assert suggestion is not None
    assert suggestion.lead == "power_supply"
    assert suggestion.co_handlers == ("property",)


def test_no_rule_means_no_suggestion() -> None:
    assert _table().suggest("noise", "taipingjie", "jiefangbei") is None


def test_rules_are_added_replaced_and_removed() -> None:
    table = _table()
    with pytest.raises(RuleBroken, match="exists already"):
        table.add(RoutingRule("power_supply", "*", ("state_grid",)))
    table.replace(RoutingRule("power_supply", "*", ("state_grid",)))
    assert table.suggest("power_supply", "x", "y") == ("state_grid", ())
    table.remove("power_supply", "*")
    assert table.suggest("power_supply", "x", "y") is None
    with pytest.raises(RuleBroken):
        table.remove("power_supply", "*")
    with pytest.raises(RuleBroken):
        table.replace(RoutingRule("tree", "*", ("landscaping",)))


@pytest.mark.parametrize(
    ("category", "area", "codes", "field"),
    [
        ("", "*", ("a",), "category"),
        ("tree", " ", ("a",), "area"),
        ("tree", "*", (), "department_codes"),
        ("tree", "*", ("a", "a"), "department_codes"),
        ("tree", "*", ("a", ""), "department_codes"),
    ],
)
def test_a_bad_rule_names_its_field(
    category: str, area: str, codes: tuple[str, ...], field: str
) -> None:
    with pytest.raises(RuleBroken) as broken:
        RoutingRule(category, area, codes)
    assert broken.value.field == field


def test_a_rule_keeps_its_departments_immutable() -> None:
    rule = RoutingRule("tree", "*", ["landscaping", "property"])  # type: ignore[arg-type]
    assert rule.department_codes == ("landscaping", "property")


def test_service_levels_are_editable_per_alliance() -> None:
    table = RoutingTable("yongxinglu-alliance")
    faster = ServiceLevel(timedelta(minutes=15), timedelta(days=5))
    table.set_service_level("general", faster)
    assert table.service_level("general") == faster
    # Another alliance keeps the defaults.
    assert RoutingTable("other").service_level("general").resolve_within == timedelta(days=7)


@pytest.mark.parametrize(
    ("acknowledge", "resolve", "field"),
    [
        (timedelta(0), timedelta(hours=1), "acknowledge_within"),
        (timedelta(hours=2), timedelta(hours=1), "resolve_within"),
    ],
)
def test_a_bad_service_level_names_its_field(
    acknowledge: timedelta, resolve: timedelta, field: str
) -> None:
    with pytest.raises(RuleBroken) as broken:
        ServiceLevel(acknowledge, resolve)
    assert broken.value.field == field


def test_an_unknown_urgency_has_no_service_level() -> None:
    table = RoutingTable("x")
    with pytest.raises(RuleBroken) as broken:
        table.service_level("whenever")
    assert broken.value.field == "urgency"
    with pytest.raises(RuleBroken):
        table.set_service_level("whenever", DEFAULT_SERVICE_LEVELS["general"])
