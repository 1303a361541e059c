"""Which departments a whistle goes to, and how long they have: one table per alliance.

Rules map category × area to departments (lead first). The most specific area wins: a rule for
the community beats one for its street, which beats the alliance-wide "*". Service levels are
per urgency, with Beijing 12345's practice as the defaults; an alliance may edit both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from lianxin.errors import RuleBroken

URGENCIES = ("emergency", "utilities", "general", "complex")
ANY_AREA = "*"


@dataclass(frozen=True)
class ServiceLevel:
    """How long a department has to sign for a whistle, and to resolve it, from dispatch."""

    acknowledge_within: timedelta
    resolve_within: timedelta

    def __post_init__(self) -> None:
        if self.acknowledge_within <= timedelta(0):
            raise RuleBroken("acknowledge_within", "the time to sign for must be positive")
        if self.resolve_within < self.acknowledge_within:
            raise RuleBroken(
                "resolve_within", "the time to resolve cannot be shorter than the time to sign for"
            )


# Beijing 12345: sign for a whistle within 30 minutes; emergencies resolved within 2 hours,
# utilities (water, power, gas, heating) within 24 hours, general within 7 days, complex 15.
_SIGN_FOR = timedelta(minutes=30)
DEFAULT_SERVICE_LEVELS: Mapping[str, ServiceLevel] = {
    "emergency": ServiceLevel(_SIGN_FOR, timedelta(hours=2)),
    "utilities": ServiceLevel(_SIGN_FOR, timedelta(hours=24)),
    "general": ServiceLevel(_SIGN_FOR, timedelta(days=7)),
    "complex": ServiceLevel(_SIGN_FOR, timedelta(days=15)),
}


def check_urgency(urgency: str) -> None:
    if urgency not in URGENCIES:
        raise RuleBroken("urgency", f"urgency must be one of {', '.join(URGENCIES)}")


@dataclass(frozen=True)
class RoutingRule:
    """Incidents of `category` in `area` (a street or community code, or "*") go to these
    departments; the first is the lead, the others co-handle."""

    category: str
    area: str
    department_codes: tuple[str, ...]

    def __post_init__(self) -> None:
        # Accept any iterable of codes but keep a tuple, so a rule stays immutable and hashable.
        object.__setattr__(self, "department_codes", tuple(self.department_codes))
        if not self.category.strip():
            raise RuleBroken("category", "a rule needs a category")
        if not self.area.strip():
            raise RuleBroken("area", 'a rule needs an area: a street, a community, or "*"')
        codes = self.department_codes
        if not codes or any(not c.strip() for c in codes) or len(set(codes)) != len(codes):
            raise RuleBroken("department_codes", "name each department once, at least one")

    @property
    def key(self) -> tuple[str, str]:
        return (self.category, self.area)


class Suggestion(NamedTuple):
    lead: str
    co_handlers: tuple[str, ...]


@dataclass
class RoutingTable:
    """An alliance's routing rules and service levels. Edits are checked before they apply."""

    alliance_code: str
    rules: dict[tuple[str, str], RoutingRule] = field(default_factory=dict)
    service_levels: dict[str, ServiceLevel] = field(
        default_factory=lambda: dict(DEFAULT_SERVICE_LEVELS)
    )

    @classmethod
    def with_rules(cls, alliance_code: str, rules: Iterable[RoutingRule]) -> RoutingTable:
        table = cls(alliance_code)
        for rule in rules:
            table.add(rule)
        return table

    def add(self, rule: RoutingRule) -> None:
        if rule.key in self.rules:
            raise RuleBroken("area", f"a rule for {rule.category} in {rule.area} exists already")
        self.rules[rule.key] = rule

    def replace(self, rule: RoutingRule) -> None:
        if rule.key not in self.rules:
            raise RuleBroken("area", f"no rule for {rule.category} in {rule.area} to replace")
        self.rules[rule.key] = rule

    def remove(self, category: str, area: str) -> None:
        if (category, area) not in self.rules:
            raise RuleBroken("area", f"no rule for {category} in {area} to remove")
        del self.rules[(category, area)]

    def suggest(self, category: str, community_code: str, street_code: str) -> Suggestion | None:
        """The departments for an incident of `category` in this community; None: no rule, the
        coordinator chooses."""
        for area in (community_code, street_code, ANY_AREA):
            rule = self.rules.get((category, area))
            if rule is not None:
                return Suggestion(rule.department_codes[0], rule.department_codes[1:])
        return None

    def service_level(self, urgency: str) -> ServiceLevel:
        check_urgency(urgency)
        return self.service_levels[urgency]

    def set_service_level(self, urgency: str, level: ServiceLevel) -> None:
        check_urgency(urgency)
        self.service_levels[urgency] = level
