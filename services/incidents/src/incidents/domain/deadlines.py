"""Time limits on an assignment and the supervision ladder a breach climbs. No clock of its own:
every function takes `now`, so the durable timers (and the tests) decide what time it is.

The rule of the ladder: a deadline grants a period (30 minutes to sign for, 15 days to resolve a
complex case…). When it passes unmet, the breach is recorded and the community's supervision is
the first rung; each further full period still unmet climbs one rung: the street, then the
district's supervision office. A complex case due on day 15 thus reaches the community on day
15, the street on day 30 and the district on day 45; a whistle not signed for within 30 minutes
reaches them at 30, 60 and 90 minutes. Tying the step to the period keeps one rule fair to both.

Timers: the persistence layer keeps one row per `Timer` (assignment_id, kind, due_at, rung), claims
the due ones with SKIP LOCKED and hands them to the incident (`Incident.on_timer`), which looks at
the assignment as it is now and applies whatever steps are due and not yet recorded. A row is
only a wake-up call: a row that fires late, twice, out of order, or after the department acted
does no harm, so the rows need no cleaning when a deadline is met or moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from uuid import UUID

from incidents.domain.routing import ServiceLevel


class DeadlineKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class Rung(IntEnum):
    """The supervision ladder, bottom up."""

    COMMUNITY = 1
    STREET = 2
    DISTRICT_SUPERVISION = 3

    @property
    def label(self) -> str:
        return self.name.lower()


LADDER: tuple[Rung, ...] = tuple(Rung)


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due_at: datetime
    # What the deadline granted; also the time between two rungs of the ladder.
    period: timedelta

    def rung_due_at(self, rung: Rung) -> datetime:
        return self.due_at + (rung - 1) * self.period

    def is_late(self, at: datetime) -> bool:
        """Met at `at`, but after it was due. Meeting it at the very instant is on time."""
        return at > self.due_at

    def rungs_due(self, now: datetime, reached: int = 0) -> list[Rung]:
        """The rungs due by `now` above the one already `reached` (0: none), in ladder order."""
        return [r for r in LADDER if r > reached and self.rung_due_at(r) <= now]


@dataclass(frozen=True)
class Timer:
    """One durable timer row: wake the incident at `due_at` for this deadline's `rung`."""

    assignment_id: UUID
    kind: DeadlineKind
    due_at: datetime
    rung: Rung


def acknowledge_deadline(dispatched_at: datetime, level: ServiceLevel) -> Deadline:
    return Deadline(
        DeadlineKind.ACKNOWLEDGE, dispatched_at + level.acknowledge_within, level.acknowledge_within
    )


def resolve_deadline(start: datetime, level: ServiceLevel) -> Deadline:
    """Counted from dispatch, or from the reopening when the resident sent it back."""
    return Deadline(DeadlineKind.RESOLVE, start + level.resolve_within, level.resolve_within)


def timers(assignment_id: UUID, deadlines: Iterable[Deadline]) -> list[Timer]:
    """Every row to insert for these deadlines: one per rung, so each step wakes on time."""
    return [
        Timer(assignment_id, d.kind, d.rung_due_at(rung), rung)
        for d in deadlines
        for rung in LADDER
    ]
