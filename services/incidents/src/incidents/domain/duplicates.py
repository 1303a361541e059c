"""Is a new report a problem we already know? Same place, same category, within a window.

Only a suggestion: the coordinator sees the candidates and decides whether to merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar
from uuid import UUID

DEFAULT_WINDOW = timedelta(hours=24)
# A candidate is a problem still being worked on. A resolved or verified incident could still
# take a duplicate in (see Incident.merge), but a new report after the fix is a new occurrence
# (or the fix failing, which the resident's feedback reopens): suggesting it misled (issue #15).
SUGGESTED = frozenset({"reported", "accepted", "escalated"})


class Located(Protocol):
    """What matching needs of an incident; an Incident or a light row from a query."""

    @property
    def id(self) -> UUID: ...
    @property
    def community_code(self) -> str: ...
    @property
    def micro_grid_code(self) -> str: ...
    @property
    def grid_path(self) -> Sequence[str]: ...
    @property
    def category(self) -> str: ...
    @property
    def reported_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


T = TypeVar("T", bound=Located)


def _nodes(incident: Located) -> set[str]:
    return {*incident.grid_path, incident.micro_grid_code}


def candidates(
    new: Located,
    existing: Iterable[T],
    *,
    window: timedelta = DEFAULT_WINDOW,
    within: str | None = None,
) -> list[T]:
    """Earlier open incidents that may be the same problem as `new`, oldest first.

    Same place means the same micro-grid, or, with `within`, anywhere under that grid node (a
    grid, a building) when both incidents lie under it: a tree seen from two micro-grids.
    """
    if within is not None and within not in _nodes(new):
        return []
    found = [
        other
        for other in existing
        if other.id != new.id
        and other.status in SUGGESTED
        and other.community_code == new.community_code
        and other.category == new.category
        and (
            other.micro_grid_code == new.micro_grid_code
            if within is None
            else within in _nodes(other)
        )
        and timedelta(0) <= new.reported_at - other.reported_at <= window
    ]
    return sorted(found, key=lambda other: other.reported_at)
