"""Issue #15, defects 4 and 10, as a coordinator or grid leader meets them in the Chinese
console: validation errors in English, a micro-grid taking a million affected households, time
limits in fractional hours, a filter button called 提交, an urgency named after a category."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.e2e

LATIN = re.compile(r"[A-Za-z]{3,}")


def _report_form(page, households: str) -> None:
    page.goto("/inbox")
    page.select_option("#micro_grid_code", "tpj-g01-m01")
    page.select_option("#category", "power_supply")
    page.fill("#description", "朝华新城 3 栋停电")
    page.fill("#affected_households", households)
    page.press("#affected_households", "Enter")


def test_a_report_s_field_errors_are_chinese_and_a_grid_caps_its_households(sign_in) -> None:
    leader = sign_in("tpj-g01-leader", PHONE)
    page = leader.page

    # Above what the validator takes at all: its rule, worded in Chinese.
    _report_form(page, "2000000")
    error = page.locator("#affected_households-error")
    expect(error).to_contain_text("应不大于 1000000")
    assert not LATIN.search(error.inner_text()), error.inner_text()

    # Within the validator's bound but more than 朝华新城's grid holds: refused, the field named.
    _report_form(page, "100000")
    expect(error).to_contain_text("超过该网格的户数")
    assert not LATIN.search(error.inner_text()), error.inner_text()
    expect(page.locator("#affected_households")).to_have_value("100000")

    # The compound-wide outage of the demo story still goes through from one micro-grid.
    _report_form(page, "288")
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}$"))
    leader.close()


def test_urgencies_time_limits_and_the_filter_read_as_people_say_them(sign_in) -> None:
    coordinator = sign_in("tpj-coordinator")
    page = coordinator.page

    # The urgencies are named as urgencies: none of them is a category's name.
    page.goto("/inbox")
    urgencies = page.locator("input[name=urgency]").locator("xpath=..")
    expect(urgencies).to_have_text(["紧急", "较急", "一般", "复杂"])

    # A general incident's whistle promises the department 7 days, not 168.0 hours.
    page.select_option("#micro_grid_code", "tpj-g01-m01")
    page.select_option("#category", "power_supply")
    page.check("input[name=urgency][value=general]")
    page.fill("#description", "朝华新城 3 栋楼道灯不亮")
    page.click("form[action='/inbox/incidents'] button[type=submit]")
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}$"))
    limits = page.locator("[data-limits]")
    expect(limits).to_contain_text("办结时限: 7 天")
    assert "小时" not in limits.inner_text() and "." not in limits.inner_text()

    # The incident list's filter is pressed to filter.
    page.goto("/incidents")
    expect(page.locator("form.filters button[type=submit]")).to_have_text("筛选")
    coordinator.close()
