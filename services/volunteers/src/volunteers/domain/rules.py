"""Per-community points rules: how many points an hour of service earns.

points = floor(hours × points per hour for the kind × night multiplier × emergency multiplier),
then capped so that one volunteer earns at most `daily_cap` points a day (what was already
earned that day counts). Multipliers compound: a night of emergency snow clearing is worth ×3.

Defaults (the alliance administrator may change them per community): 10 points an hour, 12 for
snow clearing and other hard outdoor work, 8 for patrols (long, mostly walking); night (22:00–
06:00 local) ×1.5, emergency ×2; at most 120 points a day — a full emergency day, not more,
so a forgotten check-out cannot mint a fortune.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from types import MappingProxyType

from lianxin.errors import require
from volunteers.domain.activities import ACTIVITY_KINDS

FLAGS = ("night", "emergency")
NIGHT_STARTS, NIGHT_ENDS = 22, 6  # local hours

DEFAULT_PER_HOUR: Mapping[str, int] = MappingProxyType(
    {"snow_clearing": 12, "emergency": 12, "patrol": 8}
)


@dataclass(frozen=True)
class PointsRules:
    community_code: str
    per_hour: Mapping[str, int] = field(default_factory=lambda: DEFAULT_PER_HOUR)
    default_per_hour: int = 10
    night_multiplier: Decimal = Decimal("1.5")
    emergency_multiplier: Decimal = Decimal(2)
    daily_cap: int = 120

    def __post_init__(self) -> None:
        unknown = sorted(set(self.per_hour) - set(ACTIVITY_KINDS))
        require(not unknown, "per_hour", f"unknown activity kinds {unknown}")
        require(
            all(isinstance(v, int) and v >= 0 for v in self.per_hour.values()),
            "per_hour",
            "points per hour are whole numbers, 0 or more",
        )
        require(self.default_per_hour >= 0, "default_per_hour", "must be 0 or more")
        require(self.night_multiplier >= 1, "night_multiplier", "a multiplier is at least 1")
        require(self.emergency_multiplier >= 1, "emergency_multiplier", "at least 1")
        require(self.daily_cap >= 0, "daily_cap", "a cap is 0 or more")

    def rate(self, kind: str) -> int:
        require(kind in ACTIVITY_KINDS, "kind", f"unknown activity kind {kind!r}")
        return self.per_hour.get(kind, self.default_per_hour)


def points_for(
    rules: PointsRules,
    hours: Decimal,
    kind: str,
    flags: frozenset[str] | set[str] = frozenset(),
    already_earned_today: int = 0,
) -> int:
    """The points one service earns, after the day's cap; 0 once the cap is reached."""
    require(hours >= 0, "hours", "hours are 0 or more")
    require(already_earned_today >= 0, "already_earned_today", "0 or more")
    unknown = sorted(set(flags) - set(FLAGS))
    require(not unknown, "flags", f"unknown flags {unknown}")
    raw = Decimal(hours) * rules.rate(kind)
    if "night" in flags:
        raw *= rules.night_multiplier
    if "emergency" in flags:
        raw *= rules.emergency_multiplier
    points = int(raw.to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(points, rules.daily_cap - already_earned_today))


def flags_for(starts_at: datetime, emergency: bool) -> frozenset[str]:
    """Night if the service began between 22:00 and 06:00 in the time's own zone."""
    hour = starts_at.hour
    night = hour >= NIGHT_STARTS or hour < NIGHT_ENDS
    return frozenset({"night"} if night else set()) | ({"emergency"} if emergency else set())
