"""Districts and streets above the communities, and the alliances communities form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lianxin.errors import require
from organisation.domain.base import Aggregate, not_retired, require_text, unique

# The six joint mechanisms an alliance runs (Nanmenshan: 民意联采, 风险联判, 矛盾联解, 安全联防,
# 困难联帮, 活动联办).
MECHANISMS = (
    "joint_opinion_collection",
    "joint_risk_assessment",
    "joint_dispute_resolution",
    "joint_safety_defence",
    "joint_hardship_aid",
    "joint_activities",
)


@dataclass
class District(Aggregate):
    AGGREGATE = "district"

    code: str
    name: str
    city: str

    @classmethod
    def register(cls, code: str, name: str, city: str) -> District:
        return cls._new(code, require_text(name, "name"), require_text(city, "city"))

    def update(self, changes: dict[str, Any]) -> list[str]:
        """A field sent as null is left as it is."""
        wanted: dict[str, Any] = {}
        for name in ("name", "city"):
            if changes.get(name) is not None:
                wanted[name] = require_text(changes[name], name)
        return self._apply(wanted)


@dataclass
class Street(Aggregate):
    """A street (街道); it stays in its district, so communities can carry the district too."""

    AGGREGATE = "street"

    code: str
    name: str
    district_code: str

    @classmethod
    def register(cls, code: str, name: str, district: District) -> Street:
        not_retired(district, "district_code")
        return cls._new(code, require_text(name, "name"), district.code)

    def update(self, changes: dict[str, Any]) -> list[str]:
        name = changes.get("name")
        return self._apply({"name": require_text(name, "name")} if name is not None else {})


@dataclass
class Community(Aggregate):
    AGGREGATE = "community"

    code: str
    name: str
    street_code: str
    district_code: str
    area_km2: float | None = None

    @classmethod
    def register(
        cls, code: str, name: str, street: Street, area_km2: float | None = None
    ) -> Community:
        not_retired(street, "street_code")
        area_km2 = _area(area_km2)
        name = require_text(name, "name")
        return cls._new(code, name, street.code, street.district_code, area_km2)

    def update(self, changes: dict[str, Any], street: Street | None = None) -> list[str]:
        """`changes` may hold name, area_km2 and street_code (then `street` is that street)."""
        wanted: dict[str, Any] = {}
        if "name" in changes:
            wanted["name"] = require_text(changes["name"], "name")
        if "area_km2" in changes:
            wanted["area_km2"] = _area(changes["area_km2"])
        if "street_code" in changes:
            require(street and street.active, "street_code", "the street must exist, not retired")
            wanted["street_code"] = street.code  # type: ignore[union-attr]
            wanted["district_code"] = street.district_code  # type: ignore[union-attr]
        return self._apply(wanted)


def _area(km2: float | None) -> float | None:
    require(km2 is None or km2 >= 0, "area_km2", "an area is not negative")
    return km2


@dataclass
class Alliance(Aggregate):
    """Communities and non-public party branches acting together (党建联盟)."""

    AGGREGATE = "alliance"

    code: str
    name: str
    community_codes: list[str]
    branch_unit_codes: list[str]
    mechanisms: list[str]

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        communities: list[Community],
        branch_units: list,
        mechanisms: list[str],
    ) -> Alliance:
        return cls._new(
            code,
            require_text(name, "name"),
            _communities(communities),
            _branches(branch_units),
            _mechanisms(mechanisms),
        )

    def update(
        self,
        changes: dict[str, Any],
        communities: list[Community] | None = None,
        branch_units: list | None = None,
    ) -> list[str]:
        """`communities` and `branch_units` are what the changes' codes name; null changes
        nothing."""
        wanted: dict[str, Any] = {}
        if changes.get("name") is not None:
            wanted["name"] = require_text(changes["name"], "name")
        if changes.get("community_codes") is not None:
            wanted["community_codes"] = _communities(communities or [])
        if changes.get("branch_unit_codes") is not None:
            wanted["branch_unit_codes"] = _branches(branch_units or [])
        if changes.get("mechanisms") is not None:
            wanted["mechanisms"] = _mechanisms(changes["mechanisms"])
        return self._apply(wanted)


def _communities(communities: list[Community]) -> list[str]:
    require(communities, "community_codes", "an alliance has at least one community")
    for community in communities:
        not_retired(community, "community_codes")
    return unique([c.code for c in communities], "community_codes")


def _branches(units: list) -> list[str]:
    for unit in units:
        not_retired(unit, "branch_unit_codes")
        require(
            unit.kind == "non_public_party_branch",
            "branch_unit_codes",
            f"member unit {unit.code} is not a non-public party branch",
        )
    return unique([u.code for u in units], "branch_unit_codes")


def _mechanisms(mechanisms: list[str]) -> list[str]:
    require(mechanisms, "mechanisms", "an alliance runs at least one joint mechanism")
    for mechanism in mechanisms:
        require(mechanism in MECHANISMS, "mechanisms", f"unknown mechanism {mechanism!r}")
    return unique(mechanisms, "mechanisms")
