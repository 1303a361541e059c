"""Test times by China's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lianxin.listings import CHINA
from lianxin.testing.clock import earlier_this_month


def test_earlier_this_month_stays_in_chinas_month_just_after_its_midnight() -> None:
    # 16:02 UTC on 30 November is 00:02 on 1 December in China.
    now = datetime(2026, 11, 30, 16, 2, tzinfo=UTC)
    held = earlier_this_month(timedelta(hours=2), now)
    assert held == datetime(2026, 12, 1, tzinfo=CHINA) and held <= now


def test_earlier_this_month_is_plainly_earlier_inside_the_month() -> None:
    now = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert earlier_this_month(timedelta(minutes=5), now) == now - timedelta(minutes=5)
