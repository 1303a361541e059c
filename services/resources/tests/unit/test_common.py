from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lianxin.testing.rules import refused
from resources.domain.common import CST, Quarter


def test_quarters_are_counted_in_china_time() -> None:
    # 31 March 23:00 in Kunming is 15:00 UTC: still Q1.
    assert Quarter.of(datetime(2026, 3, 31, 15, 0, tzinfo=UTC)) == Quarter(2026, 1)
    assert Quarter.of(datetime(2026, 3, 31, 16, 0, tzinfo=UTC)) == Quarter(2026, 2)
    assert Quarter(2026, 1).end == datetime(2026, 4, 1, tzinfo=CST)


def test_quarters_step_over_years_and_parse() -> None:
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter.parse("2026-Q3") == Quarter(2026, 3)
    assert str(Quarter(2026, 3)) == "2026-Q3"


@pytest.mark.parametrize("text", ["2026-Q5", "Q1-2026", "2026"])
def test_a_bad_quarter_names_the_field(text: str) -> None:
    assert refused(lambda: Quarter.parse(text)) == "quarter"


def test_a_naive_time_is_refused() -> None:
    assert refused(lambda: Quarter.of(datetime(2026, 1, 1))) == "at"
