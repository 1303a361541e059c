"""What the resources domain's aggregates share: the events they collect, a meeting's record (a
joint meeting's, a deliberation's), input checks, quarters.

Quarters (joint meetings, claims by the end of Q1, scorecards) are counted in China Standard Time
(UTC+8, no summer time): every community on the platform is in China, and a unit that files on
31 March at 23:00 in Kunming filed in Q1, whatever the server's clock says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, TypeVar

from lianxin.errors import Conflict, RuleBroken, require

if TYPE_CHECKING:
    from uuid import UUID

CST = timezone(timedelta(hours=8), "CST")


@dataclass(kw_only=True)
class Aggregate:
    """An aggregate collects the facts of its changes; the service layer drains `events`."""

    events: list[object] = field(default_factory=list, repr=False, compare=False)


class MeetingRecord(Aggregate):
    """What a joint meeting and a residents' deliberation share: the record of a meeting, which
    changes until it closes (`closed_at` set) and closes with its minutes."""

    what: ClassVar[str]  # the record's name in a refusal: "meeting", "deliberation"
    if TYPE_CHECKING:  # fields of each subclass's own dataclass
        id: UUID
        minutes: str
        closed_at: datetime | None

    def _ensure_open(self) -> None:
        if self.closed_at is not None:
            raise Conflict(f"{self.what} {self.id} is closed: its record no longer changes")

    def write_minutes(self, minutes: str) -> None:
        text = require_text(minutes, "minutes", 20_000)
        self._ensure_open()
        self.minutes = text


def require_text(value: str | None, field: str, max_length: int = 2000) -> str:
    text = (value or "").strip()
    require(text, field, f"{field} must not be blank")
    require(len(text) <= max_length, field, f"{field} is longer than {max_length} characters")
    return text


def require_aware(value: datetime, field: str) -> datetime:
    # A naive time would be read in the server's zone: quarters and ages would drift by hours.
    require(
        isinstance(value, datetime) and value.utcoffset() is not None,
        field,
        f"{field} must be a time with its zone",
    )
    return value


E = TypeVar("E", bound=StrEnum)


def choice(kind: type[E], value: str, field: str) -> E:
    """`value` as a member of `kind`, or RuleBroken naming the field and the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise RuleBroken(field, f"{field} must be one of {allowed}") from None


def local_day(at: datetime) -> str:
    """The date people in the community would say, for reasons and reminders."""
    return f"{at.astimezone(CST):%Y-%m-%d}"


def unique(values: tuple[str, ...], field: str) -> tuple[str, ...]:
    require(len(set(values)) == len(values), field, f"{field} names something twice")
    return values


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter in China time: 2026-Q1 runs from 1 January 00:00 CST to 1 April."""

    year: int
    number: int

    def __post_init__(self) -> None:
        require(1 <= self.number <= 4, "quarter", "a quarter is numbered 1 to 4")
        require(2000 <= self.year <= 2100, "year", "year is out of range")

    @classmethod
    def of(cls, at: datetime) -> Quarter:
        local = require_aware(at, "at").astimezone(CST)
        return cls(local.year, (local.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        year, sep, number = text.partition("-Q")
        require(sep and year.isdigit() and number.isdigit(), "quarter", "write a quarter 2026-Q1")
        return cls(int(year), int(number))

    @classmethod
    def of_year(cls, year: int) -> tuple[Quarter, Quarter, Quarter, Quarter]:
        return (cls(year, 1), cls(year, 2), cls(year, 3), cls(year, 4))

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * (self.number - 1) + 1, 1, tzinfo=CST)

    @property
    def end(self) -> datetime:
        """The first instant after the quarter."""
        return self.next().start

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def contains(self, at: datetime | None) -> bool:
        return at is not None and self.start <= at < self.end

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"
