"""Points rules: per hour by kind, multipliers compounding, a daily cap, floors not rounds."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lianxin.testing.rules import refused
from volunteers.domain.rules import PointsRules, flags_for, points_for

RULES = PointsRules("longze")


@pytest.mark.parametrize(
    ("hours", "kind", "flags", "today", "points"),
    [
        ("2", "elder_care", set(), 0, 20),
        ("2", "patrol", set(), 0, 16),
        ("2", "snow_clearing", set(), 0, 24),
        ("2", "snow_clearing", {"emergency"}, 0, 48),
        ("2", "snow_clearing", {"emergency", "night"}, 0, 72),
        ("0.75", "tutoring", {"night"}, 0, 11),  # 11.25 → 11: whole points, rounded down
        ("3", "snow_clearing", {"emergency"}, 100, 20),  # 72 capped at 120 − 100
        ("3", "snow_clearing", {"emergency"}, 130, 0),
        ("0", "elder_care", set(), 0, 0),
    ],
)
def test_points_for(hours: str, kind: str, flags: set[str], today: int, points: int) -> None:
    assert points_for(RULES, Decimal(hours), kind, flags, today) == points


def test_a_community_sets_its_own_rates() -> None:
    rules = PointsRules("changshan", per_hour={"repair": 15}, default_per_hour=5, daily_cap=30)
    assert points_for(rules, Decimal(1), "repair") == 15
    assert points_for(rules, Decimal(1), "snow_clearing") == 5  # its table replaces the default
    assert points_for(rules, Decimal(10), "repair") == 30


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"per_hour": {"karaoke": 3}}, "per_hour"),
        ({"per_hour": {"patrol": -1}}, "per_hour"),
        ({"night_multiplier": Decimal("0.5")}, "night_multiplier"),
        ({"daily_cap": -1}, "daily_cap"),
    ],
)
def test_bad_rules_name_the_field(kw: dict[str, object], field: str) -> None:
    assert refused(lambda: PointsRules("longze", **kw)) == field  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((Decimal(-1), "patrol", set(), 0), "hours"),
        ((Decimal(1), "karaoke", set(), 0), "kind"),
        ((Decimal(1), "patrol", {"holiday"}, 0), "flags"),
        ((Decimal(1), "patrol", set(), -5), "already_earned_today"),
    ],
)
def test_bad_input_names_the_field(args: tuple[object, ...], field: str) -> None:
    assert refused(lambda: points_for(RULES, *args)) == field  # type: ignore[arg-type]


def test_night_is_from_22_to_6() -> None:
    assert flags_for(datetime(2026, 2, 1, 22, 0, tzinfo=UTC), False) == {"night"}
    assert flags_for(datetime(2026, 2, 1, 5, 59, tzinfo=UTC), True) == {"night", "emergency"}
    assert flags_for(datetime(2026, 2, 1, 6, 0, tzinfo=UTC), False) == frozenset()
