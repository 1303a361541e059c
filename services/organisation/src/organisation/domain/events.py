"""What happens in the organisation, as plain facts.

Every aggregate is registered, updated and retired; each fact carries the aggregate's public state
after the change (see `Aggregate.snapshot`), which is what the ORG stream's events are made of.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Registered:
    aggregate: str
    state: dict[str, Any]


@dataclass(frozen=True)
class Updated:
    aggregate: str
    state: dict[str, Any]
    changed: tuple[str, ...]


@dataclass(frozen=True)
class Retired:
    aggregate: str
    state: dict[str, Any]
