"""Service records for in-service party members: rows for the employer's branch."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from lianxin.testing.rules import refused
from volunteers.domain.periods import Period
from volunteers.domain.records import COLUMNS, ServiceDone, csv_rows, service_record
from volunteers.domain.volunteers import Volunteer

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_only_in_service_members_have_a_record_for_an_employer() -> None:
    resident = Volunteer.register("taipingjie", "居民", "139", ["tp-g1"], NOW)
    assert refused(lambda: service_record(resident, Period.year(2026, UTC), [])) == "volunteer_id"


def test_an_empty_period_still_gives_a_header_and_a_zero_total() -> None:
    member = Volunteer.register(
        "taipingjie",
        "刘",
        "139",
        ["tp-g1"],
        NOW,
        party_member_kind="in_service",
        employer_unit_code="tax-bureau",
        employer_branch_code="tax-bureau-branch-2",
    )
    period = Period.quarter(2026, 1, UTC)
    other = ServiceDone(uuid4(), NOW, "patrol", "x", "taipingjie", Decimal(1), 8)
    lines = csv_rows(member, period, service_record(member, period, [other]))
    assert lines[0] == list(COLUMNS)
    assert lines[1][5:] == ["2026-Q1", "合计 0 次", "", "0.00", "0"]


def test_periods() -> None:
    q4 = Period.quarter(2019, 4, UTC)
    assert (q4.start, q4.end) == (
        datetime(2019, 10, 1, tzinfo=UTC),
        datetime(2020, 1, 1, tzinfo=UTC),
    )
    dec = Period.month(2019, 12, UTC)
    assert (dec.label, dec.end) == ("2019-12", datetime(2020, 1, 1, tzinfo=UTC))
    assert q4.covers(datetime(2019, 12, 31, 23, 59, tzinfo=UTC)) and not q4.covers(q4.end)
