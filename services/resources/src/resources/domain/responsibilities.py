"""Responsibilities (责任清单): who does what by when, per project, and the list across projects.

A responsibility is part of its project (it changes only through `Project`); this module holds
its record and the cross-project list the secretary and the liaisons read. Due at `due_at`:
done at that very instant is on time, as with the whistle's deadlines.

Overdue climbs a ladder as the whistle's deadlines do, with the period the responsibility was
given (from `given_at` to `due_at`) as the step: at `due_at` the community's big committee
(its secretary) is told; a full period later, still not done, the street's big working
committee (街道大工委). Thirty days to build becomes the community's matter on day 30 and the
street's on day 60; the timer rows fire `Project.check_deadlines`, which takes each rung once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING
from uuid import UUID

from lianxin.errors import RuleBroken
from resources.domain.common import require_aware, require_text

if TYPE_CHECKING:
    from resources.domain.projects import Project


class OverdueRung(IntEnum):
    COMMUNITY = 1
    STREET = 2


def checked_terms(
    holder_code: str, task: str, due_at: datetime, after: datetime, when: str, type_: str = ""
) -> tuple[str, str]:
    """A responsibility's holder and task as given (at a meeting or on its project): named,
    said, and due after `after` (`when` says which moment that is, and `type_` names the rule,
    for the refusal)."""
    holder = require_text(holder_code, "holder_code", 64)
    text = require_text(task, "task", 500)
    require_aware(due_at, "due_at")
    if due_at <= after:
        raise RuleBroken("due_at", f"due_at must be {when}", type_=type_)
    return holder, text


@dataclass(kw_only=True)
class Responsibility:
    """Who does what by when."""

    id: UUID
    holder_code: str
    task: str
    given_at: datetime
    due_at: datetime
    done_at: datetime | None = None
    # The highest rung of the overdue ladder already taken (0: none).
    overdue_rung: int = 0

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and now > self.due_at

    def rung_due_at(self, rung: OverdueRung) -> datetime:
        return self.due_at + (rung - 1) * (self.due_at - self.given_at)

    def rungs_due(self, now: datetime) -> list[OverdueRung]:
        """The rungs reached by `now` and not yet taken; none once it is done or not late yet."""
        if not self.overdue(now):
            return []
        return [r for r in OverdueRung if r > self.overdue_rung and self.rung_due_at(r) < now]

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
