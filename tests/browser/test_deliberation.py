"""Residents' deliberation in a browser (issue #18): the demo's deliberations of stories 15, 5
and 4 listed; a bench meeting recorded on a phone (375 px) from the form to its agreed items'
outcomes; the incident it raised shows the meeting in its 议事 section. Screenshots of the list,
the form, one deliberation and the incident's section, desktop and phone."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from lianxin.demo import deliberations as demo
from lianxin.http_clients import async_client
from tests.browser.conftest import PHONE, Console
from tests.browser.test_walk import VISIBLE_TEXT, _english
from tests.conftest import Platform, run_async


def _load_demo(plat: Platform) -> dict[str, int]:
    async def load() -> dict[str, int]:
        headers = {"Authorization": f"Bearer {plat.token()}"}

        def client(service: str) -> httpx.AsyncClient:
            return async_client(base_url=plat.url(service), headers=headers, timeout=30)

        async with (
            client("organisation") as org,
            client("resources") as res,
            client("incidents") as inc,
        ):
            return await demo.load_deliberations(org, res, inc)

    return run_async(load())


@pytest.fixture
def demo_deliberations(demo_platform: Platform) -> Platform:
    """The demo's four deliberations on top of the demo alliance, loaded once: a second load
    changes nothing."""
    assert _load_demo(demo_platform) == {"deliberations": 4}
    assert _load_demo(demo_platform) == {}
    return demo_platform


def _chinese(console: Console) -> None:
    """No English left in the Chinese interface (the page walk's rule, for these pages)."""
    assert _english(console.page.evaluate(VISIBLE_TEXT)) == [], console.page.url


def test_a_bench_meeting_recorded_on_a_phone_and_its_items_turned(
    demo_deliberations: Platform, sign_in
) -> None:
    leader = sign_in("cs-coordinator", PHONE)
    page = leader.page
    page.goto("/deliberations")
    expect(page.locator("[data-deliberation-id]")).to_have_count(3)  # Changshan's three
    leader.shoot("deliberations")
    _chinese(leader)

    page.get_by_role("link", name="记录一次议事").click()
    page.get_by_label("议事形式").select_option("bench_meeting")
    page.get_by_label("地点（楼栋/网格编号）").fill("csh-b07")
    leader.shoot("deliberation-new")
    _chinese(leader)
    page.get_by_label("议题").fill("   ")  # passes the browser's `required`, not resources
    page.get_by_role("button", name="记录一次议事").click()
    expect(page.locator("#topic-error")).to_be_visible()  # the field it names, in Chinese
    page.get_by_label("议题").fill("7栋电动车楼道充电")
    page.get_by_role("button", name="记录一次议事").click()
    expect(page.locator("[data-deliberation]")).to_have_attribute("data-status", "open")

    page.locator("#attendance summary").click()
    page.get_by_label("到会居民（户）").fill("7栋1单元101\n7栋1单元201\n7栋2单元301")
    page.locator("[data-form=attendance] button").click()
    expect(page.locator("[data-attendance=households] strong")).to_have_text("3")
    for text in ("在院内装电动车充电桩", "请消防站检查楼道", "楼栋长每晚巡查一次"):
        page.get_by_label("议定内容").fill(text)
        page.get_by_role("button", name="添加议定事项").click()
    expect(page.locator("[data-item]")).to_have_count(3)
    page.get_by_role("textbox", name="议事纪要").fill("三户到会，议定三项。")
    page.locator("[data-form=minutes] button").click()
    page.get_by_role("button", name="定稿").click()
    expect(page.locator("[data-deliberation]")).to_have_attribute("data-status", "closed")

    first = page.locator("[data-item='1']")
    first.locator("summary").click()
    first.get_by_label("受益对象").fill("7栋住户")
    first.get_by_role("button", name="转为需求").click()
    second = page.locator("[data-item='2']")
    second.locator("summary").click()
    report = second.locator("[data-turn=incident]")
    report.get_by_label("微网格编号").fill(demo.STAIRCASE_GRID["code"])
    report.get_by_label("类别").fill("fire_safety")
    second.get_by_role("button", name="转为事件").click()
    third = page.locator("[data-item='3']")
    third.locator("summary").click()
    third.get_by_label("化解结果").fill("楼栋长每晚十点巡查")
    third.get_by_role("button", name="就地化解").click()
    outcomes = page.locator("[data-item]")
    expect(outcomes.nth(0)).to_have_attribute("data-outcome", "need")
    expect(outcomes.nth(1)).to_have_attribute("data-outcome", "incident")
    expect(outcomes.nth(2)).to_have_attribute("data-outcome", "resolved_locally")
    leader.shoot("deliberation")
    _chinese(leader)

    # The incident it raised went through this meeting: its page says so.
    page.locator("[data-incident]").click()
    section = page.locator("[data-went-through]")
    expect(section).to_contain_text("7栋电动车楼道充电")
    page.locator("#deliberations").scroll_into_view_if_needed()
    leader.shoot("incident-deliberations")
    _chinese(leader)
    leader.close()
