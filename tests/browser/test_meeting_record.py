"""Recording a joint meeting in a browser, on a 375-pixel phone: Yongxinglu's coordinator schedules
the meeting from the list (this term's rotating chair proposed), drafts its agenda from the open
lists, records who came, decides a project for the need on the agenda (a refusal first, shown in
Chinese beside its field with what was typed kept), writes the minutes and closes it; the list
then shows it closed and the page has no form left. While it is recorded a department invited
reads it without forms, and another community's coordinator finds nothing (404). Screenshots of
the schedule form and of the meeting being recorded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianxin.demo.lists import PAVILION_NEED
from tests.browser.conftest import PHONE
from tests.browser.test_deliberation import _chinese
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

NEED = PAVILION_NEED | {"title": "社区广场缺少夜间照明", "affected_count": 300}


@pytest.fixture
def open_need(lists_platform: Platform) -> Platform:
    """The demo's lists (the member units' offers, the pavilion's closed meeting, whose decisions
    come back as the feedback list) and one need of Yongxinglu no meeting has decided yet."""
    with lists_platform.http("resources") as http:
        recorded = http.post("/needs", json=NEED)
    assert recorded.status_code == 201, recorded.text
    return lists_platform


def test_a_coordinator_records_a_joint_meeting_on_a_phone(open_need: Platform, sign_in) -> None:
    secretary = sign_in("yxl-coordinator", PHONE)
    page = secretary.page
    page.goto("/meetings")
    page.get_by_role("link", name="安排联席会议").click()
    expect(page.get_by_label("轮值主席单位")).to_have_value("yxl-u01")  # Q4's rotating chair
    page.get_by_label("召开时间").fill("2026-12-18T09:00")
    for department in ("housing", "power_supply"):
        page.locator(f"[name=invited_department_codes][value={department}]").check()
    secretary.shoot("meeting-new")
    _chinese(secretary)
    page.get_by_role("button", name="安排联席会议").click()
    meeting = page.locator("[data-meeting]")
    expect(meeting).to_have_attribute("data-status", "scheduled")
    meeting_id = meeting.get_attribute("data-meeting")
    # Others read it without its forms (a department invited); a stranger finds nothing there.
    department = sign_in("power-operator", PHONE)
    department.page.goto(f"/meetings/{meeting_id}")
    expect(department.page.locator("[data-read-only]")).to_be_visible()
    expect(department.page.locator("main form")).to_have_count(0)
    # Named for it too, though it may not read the community's, a member unit's or another
    # department's record.
    facts = department.page.locator("[data-meeting] .facts")
    expect(facts).to_contain_text("住房和城乡建设委员会")
    expect(facts).not_to_contain_text("yxl-u01")
    expect(department.page.locator("[data-meeting] h1")).to_contain_text("永兴路社区")
    stranger = sign_in("tpj-coordinator", PHONE)
    assert stranger.page.goto(f"/meetings/{meeting_id}").status == 404
    for console in (department, stranger):
        console.close()

    page.get_by_role("button", name="从清单起草议程").click()
    expect(page.locator("[data-agenda-need]")).to_contain_text([NEED["title"]])

    page.locator("[data-form=attendance]").locator("xpath=..").locator("summary").click()
    for unit in ("yxl-u01", "yxl-u02", "yxl-g02"):
        page.locator(f"[name=units_present][value={unit}]").check()
    page.locator("[name=departments_present][value=housing]").check()  # power supply absent
    page.locator("[data-form=attendance] button").click()
    expect(page.locator("[data-attendance] li")).to_have_count(4)  # three units, one department

    decide = page.locator("[data-form=project]")
    page.locator("summary", has_text="立项（满足需求）").click()
    decide.get_by_label("项目名称").fill("广场夜间照明改造")
    decide.get_by_label(NEED["title"], exact=True).check()
    decide.locator("button").click()  # no due date: resources refuses it
    expect(page.locator("#due_at-error")).to_have_text("时间格式不正确")
    expect(decide.get_by_label("项目名称")).to_have_value("广场夜间照明改造")
    expect(decide.get_by_label(NEED["title"], exact=True)).to_be_checked()
    _chinese(secretary)
    decide.get_by_label("完成期限").fill("2027-03-31")
    decide.locator("button").click()
    expect(page.locator("[data-decision=project]")).to_contain_text("广场夜间照明改造")

    minutes = page.get_by_role("textbox", name="写入或修改纪要")
    minutes.fill("议定广场夜间照明改造项目，由共建单位认领。")
    page.locator("[data-form=minutes] button").click()
    expect(page.locator("[data-minutes]")).to_contain_text("广场夜间照明")
    # The shot with two forms unfolded: the longest, and still no wider than the phone.
    for form in ("attendance", "responsibility"):
        page.locator(f"[data-form={form}]").locator("xpath=..").locator("summary").click()
    secretary.shoot("meeting-record")
    _chinese(secretary)

    page.get_by_role("button", name="结束会议").click()
    expect(meeting).to_have_attribute("data-status", "closed")
    expect(page.locator("main form")).to_have_count(0)  # read-only once closed
    expect(page.locator("[data-decision=project] a")).to_have_text("广场夜间照明改造")

    page.goto("/meetings")
    expect(page.locator(f"[data-meeting-id='{meeting_id}']")).to_contain_text("已结束")
    secretary.close()
