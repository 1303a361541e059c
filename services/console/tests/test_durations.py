"""Time limits in days and hours (issue #15, defect 10: "168.0 小时" for 7 days)."""

from __future__ import annotations

import pytest

from console.domain.durations import duration_words, wait_words

HOUR = 3600


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (168 * HOUR, "7 天", "7 d"),
        (24 * HOUR, "1 天", "1 d"),
        (36 * HOUR, "1 天 12 小时", "1 d 12 h"),
        (360 * HOUR, "15 天", "15 d"),
        (2 * HOUR, "2 小时", "2 h"),
        (90 * 60, "1 小时 30 分钟", "1 h 30 min"),
        (15 * 60, "15 分钟", "15 min"),
        (24 * HOUR + 30 * 60, "1 天", "1 d"),  # the minutes below a day's precision
        (0, "0 分钟", "0 min"),
        (0.5 * HOUR, "30 分钟", "30 min"),
    ],
)
def test_a_duration_reads_in_its_largest_units(seconds: float, zh: str, en: str) -> None:
    assert duration_words(seconds, "zh") == zh
    assert duration_words(seconds, "en") == en


def test_a_sign_ins_wait_is_said_in_seconds_then_in_whole_minutes_rounded_up() -> None:
    assert wait_words(2, "zh") == "2 秒" and wait_words(59, "en") == "59 s"
    assert wait_words(61, "zh") == "2 分钟" and wait_words(900, "en") == "15 min"
