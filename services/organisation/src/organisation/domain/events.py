"""What happens in the organisation, as plain facts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommunityRegistered:
    code: str
    name: str
    street: str


@dataclass(frozen=True)
class GridNodeRegistered:
    code: str
    name: str
    kind: str
    community_code: str
    parent_code: str | None
    path: list[str]
    households: int


@dataclass(frozen=True)
class DepartmentRegistered:
    code: str
    name: str
    categories: list[str]
