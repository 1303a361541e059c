"""Periods that records and leaderboards are kept by: a year, a quarter, a month.

Half-open [start, end) in one time zone (the community's), so a service at 23:30 on
31 December counts in the year it happened where it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from lianxin.errors import require


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require(self.end > self.start, "period", "a period ends after it starts")

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end

    @classmethod
    def year(cls, year: int, tz: tzinfo) -> Period:
        return cls(str(year), datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz))

    @classmethod
    def quarter(cls, year: int, quarter: int, tz: tzinfo) -> Period:
        require(1 <= quarter <= 4, "quarter", "a quarter is 1 to 4")
        start = datetime(year, 3 * quarter - 2, 1, tzinfo=tz)
        end = datetime(year + quarter // 4, (3 * quarter) % 12 + 1, 1, tzinfo=tz)
        return cls(f"{year}-Q{quarter}", start, end)

    @classmethod
    def month(cls, year: int, month: int, tz: tzinfo) -> Period:
        require(1 <= month <= 12, "month", "a month is 1 to 12")
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        return cls(f"{year}-{month:02d}", datetime(year, month, 1, tzinfo=tz), end)
