"""Times for tests that count by China's calendar month (the deliberations' monthly figures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lianxin.listings import CHINA


def earlier_this_month(ago: timedelta, now: datetime | None = None) -> datetime:
    """`ago` before `now`, but not before this month began in China: a test run just after
    midnight on the 1st there (16:00 UTC on the last day of a month) would otherwise hold its
    meeting last month and find this month's figures empty."""
    now = now or datetime.now(UTC)
    month_began = now.astimezone(CHINA).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return max(now - ago, month_began)
