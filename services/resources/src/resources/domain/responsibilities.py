"""Responsibilities (责任清单): who does what by when, per project, and the list across projects.

A responsibility is part of its project (it changes only through `Project`); this module holds
its record and the cross-project list the secretary and the liaisons read. Due at `due_at`:
done at that very instant is on time, as with the whistle's deadlines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from resources.domain.projects import Project


@dataclass(kw_only=True)
class Responsibility:
    """Who does what by when."""

    id: UUID
    holder_code: str
    task: str
    given_at: datetime
    due_at: datetime
    done_at: datetime | None = None
    flagged_overdue_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and now > self.due_at

    @property
    def late(self) -> bool:
        return self.done_at is not None and self.done_at > self.due_at


@dataclass(frozen=True)
class ResponsibilityLine:
    project_id: UUID
    project_title: str
    responsibility_id: UUID
    holder_code: str
    task: str
    due_at: datetime
    # in_hand, overdue, done, done_late
    state: str


def state_of(r: Responsibility, now: datetime) -> str:
    if r.done_at is not None:
        return "done_late" if r.late else "done"
    return "overdue" if r.overdue(now) else "in_hand"


def responsibilities_list(
    projects: Iterable[Project], now: datetime, holder_code: str | None = None
) -> list[ResponsibilityLine]:
    """Every responsibility (of one holder, if given): overdue first, then by due date."""
    lines = [
        ResponsibilityLine(p.id, p.title, r.id, r.holder_code, r.task, r.due_at, state_of(r, now))
        for p in projects
        for r in p.responsibilities
        if holder_code is None or r.holder_code == holder_code
    ]
    return sorted(lines, key=lambda x: (x.state != "overdue", x.due_at, str(x.responsibility_id)))
