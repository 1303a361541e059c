"""Functional departments (职能部门): what they handle, where, through which channels, how fast."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lianxin.errors import require
from organisation.domain.base import Aggregate, require_text, unique

AREA_LEVELS = ("district", "street", "community")
CHANNEL_KINDS = ("nats", "webhook", "open311")
URGENCIES = ("emergency", "utilities", "general", "complex")
CATEGORY = re.compile(r"^[a-z0-9_]+$")
URL = re.compile(r"^https?://[^\s/$.?#].[^\s]*$")


@dataclass(frozen=True)
class Area:
    """Where a department serves: a whole district, a street, or one community."""

    level: str
    code: str


@dataclass(frozen=True)
class Channel:
    """How the department receives whistles. Only the declared config; the platform runs them."""

    kind: str
    url: str | None = None  # webhook: where the signed POSTs go
    service_code: str | None = None  # open311: the service_code its back-office knows


@dataclass(frozen=True)
class ResolveHours:
    """Beijing 12345 practice: emergency 2 h; water, power, gas, heating 24 h; general 7 days;
    complex 15 days."""

    emergency: int = 2
    utilities: int = 24
    general: int = 168
    complex: int = 360


@dataclass(frozen=True)
class ServiceLevel:
    acknowledge_minutes: int = 30
    resolve_hours: ResolveHours = field(default_factory=ResolveHours)


@dataclass
class Department(Aggregate):
    """A functional department that can be whistled to (城管, 供电, 派出所…). No areas: it
    serves every area."""

    AGGREGATE = "department"

    code: str
    name: str
    categories: list[str]
    name_en: str = ""
    areas: list[Area] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=lambda: [Channel("nats")])
    sla: ServiceLevel = field(default_factory=ServiceLevel)

    @classmethod
    def register(
        cls,
        code: str,
        name: str,
        categories: list[str],
        name_en: str = "",
        areas: list[dict[str, Any]] | None = None,
        channels: list[dict[str, Any]] | None = None,
        sla: dict[str, Any] | None = None,
    ) -> Department:
        return cls._new(
            code,
            require_text(name, "name"),
            _categories(categories),
            (name_en or "").strip(),
            _areas(areas or []),
            _channels(channels) if channels is not None else [Channel("nats")],
            _sla(sla),
        )

    def update(self, changes: dict[str, Any]) -> list[str]:
        wanted: dict[str, Any] = {}
        if "name" in changes:
            wanted["name"] = require_text(changes["name"], "name")
        if "name_en" in changes:
            wanted["name_en"] = (changes["name_en"] or "").strip()
        if "categories" in changes:
            wanted["categories"] = _categories(changes["categories"] or [])
        if "areas" in changes:
            wanted["areas"] = _areas(changes["areas"] or [])
        if "channels" in changes:
            wanted["channels"] = _channels(changes["channels"] or [])
        if "sla" in changes:
            wanted["sla"] = _sla(changes["sla"])
        return self._apply(wanted)


def _categories(categories: list[str]) -> list[str]:
    require(categories, "categories", "a department handles at least one category")
    for category in categories:
        require(CATEGORY.match(category), "categories", f"bad category {category!r}")
    return sorted(set(categories))


def _areas(areas: list[dict[str, Any]]) -> list[Area]:
    made = [Area(a["level"], a["code"]) for a in areas]
    for area in made:
        require(area.level in AREA_LEVELS, "areas.level", f"unknown area level {area.level!r}")
    unique([f"{a.level}:{a.code}" for a in made], "areas")
    return made


def _channels(channels: list[dict[str, Any]]) -> list[Channel]:
    require(channels, "channels", "a department has at least one channel")
    made = [Channel(c["kind"], c.get("url"), c.get("service_code")) for c in channels]
    for channel in made:
        require(channel.kind in CHANNEL_KINDS, "channels.kind", f"unknown channel {channel.kind!r}")
        if channel.kind == "webhook":
            require(channel.url and URL.match(channel.url), "channels.url", "a webhook needs a url")
        else:
            require(channel.url is None, "channels.url", f"a {channel.kind} channel takes no url")
        if channel.kind != "open311":
            require(channel.service_code is None, "channels.service_code", "Open311 only")
    unique([c.kind for c in made], "channels.kind")
    return made


def _sla(sla: dict[str, Any] | None) -> ServiceLevel:
    """Defaults for whatever is not given: acknowledge 30 min; resolve 2/24/168/360 h."""
    sla = _given(sla)
    hours = {**vars(ResolveHours()), **_given(sla.get("resolve_hours"))}
    for urgency, value in hours.items():
        require(urgency in URGENCIES, "sla.resolve_hours", f"unknown urgency {urgency!r}")
        require(value >= 1, f"sla.resolve_hours.{urgency}", "at least one hour")
    minutes = sla.get("acknowledge_minutes", 30)
    require(minutes >= 1, "sla.acknowledge_minutes", "at least one minute")
    return ServiceLevel(minutes, ResolveHours(**hours))


def _given(values: dict[str, Any] | None) -> dict[str, Any]:
    # A target sent as null is not given: it takes the default like one left out.
    return {k: v for k, v in (values or {}).items() if v is not None}
