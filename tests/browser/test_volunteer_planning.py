"""Planning volunteering in the console, on a 375-pixel phone: Changshan's coordinator plans an
activity, schedules its shifts (one ending before it starts is refused beside its field, in
Chinese, what she typed kept), and the fitter signs up for it on his phone, where he sees no
planning form and a planning POST of his is volunteers' 403; she calls his shift off with a
reason (a blank one refused beside its field), and he sees it cancelled on his phone; she puts
a good on the points shop's shelf and restocks it (too many at once refused beside the field),
he sees it there, and once she takes it off the shelf he no longer does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

LOCAL = ZoneInfo("Asia/Shanghai")  # the times a coordinator types are China's
TITLE = "长山花园冬季扫雪"
GOOD = "电热水袋"


def _add_shift(page, starts: str, ends: str, place: str, places: str) -> None:
    """The activity page's shift form, opened, filled in and sent."""
    page.locator("[data-action=shift] summary").click()
    page.fill("#shift-starts", starts)
    page.fill("#shift-ends", ends)
    page.fill("#shift-place", place)
    page.fill("#shift-places", places)
    page.get_by_role("button", name="添加班次").click()


def test_a_coordinator_plans_an_activity_and_a_good_and_a_volunteer_takes_them_up(
    volunteering_platform: Platform, sign_in
) -> None:
    tomorrow = (datetime.now(LOCAL) + timedelta(days=1)).strftime("%Y-%m-%d")

    # The coordinator, on her phone: the activity, planned from the list.
    coordinator = sign_in("cs-coordinator", PHONE)
    page = coordinator.page
    page.goto("/volunteering/activities")
    page.locator("[data-action=activity] summary").click()
    page.fill("#activity-title", TITLE)
    page.select_option("#activity-kind", "snow_clearing")
    page.select_option("#activity-team", label="长山花园义务巡逻队")
    page.get_by_role("button", name="新建志愿活动").click()
    page.wait_for_url("**/volunteering/activities/*")
    activity_id = page.url.rsplit("/", 1)[-1]
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("p.meta .kind")).to_have_text("扫雪")

    # Its shifts: the morning's; then the afternoon's, first ending before it starts: refused
    # beside its end, in Chinese, what she typed kept.
    shifts = page.locator("section.shift")
    _add_shift(page, f"{tomorrow}T09:00", f"{tomorrow}T11:30", "3栋门前", "6")
    expect(shifts).to_have_count(1)
    _add_shift(page, f"{tomorrow}T14:00", f"{tomorrow}T13:00", "北门岗亭", "4")
    expect(page.locator("#ends_at-error")).to_have_text("应晚于开始时间")
    expect(page.locator("#shift-ends")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#shift-place")).to_have_value("北门岗亭")
    expect(page.locator("#shift-starts")).to_have_value(f"{tomorrow}T14:00")
    expect(shifts).to_have_count(1)  # the refused one is not there
    expect(shifts.locator("[data-places-open]")).to_have_text("6")
    expect(shifts).to_contain_text("3栋门前")
    coordinator.shoot("activity-plan")
    page.fill("#shift-ends", f"{tomorrow}T16:00")
    page.get_by_role("button", name="添加班次").click()
    page.wait_for_url(f"**/volunteering/activities/{activity_id}")
    expect(shifts).to_have_count(2)
    expect(page.locator("[data-action=shift]")).not_to_have_attribute("open", "")

    # The fitter, on his phone: the new activity, and a place taken in one tap.
    fitter = sign_in("cs-volunteer", PHONE)
    phone = fitter.page
    phone.goto("/volunteering/activities")
    expect(phone.locator("[data-action=activity]")).to_have_count(0)
    phone.get_by_role("link", name=TITLE).click()
    phone.wait_for_url(f"**/volunteering/activities/{activity_id}")
    expect(phone.locator("[data-action=shift]")).to_have_count(0)
    morning = phone.locator("section.shift", has_text="3栋门前")
    morning.get_by_role("button", name="报名").click()
    expect(morning.locator("[data-attendance]")).to_have_attribute("data-attendance", "signed_up")
    expect(morning.locator("[data-places-open]")).to_have_text("5")
    # A shift posted by him anyway, well formed, with his page's CSRF token: volunteers' 403,
    # shown as every page shows it, and no shift more.
    phone.evaluate(
        """([path, fields]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = path;
            form.append(document.querySelector("input[name=csrf_token]").cloneNode());
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement("input");
                input.name = name;
                input.value = value;
                form.append(input);
            }
            document.body.append(form);
            form.submit();
        }""",
        [
            f"/volunteering/activities/{activity_id}/shifts",
            {
                "starts_at": f"{tomorrow}T14:00",
                "ends_at": f"{tomorrow}T16:00",
                "place": "北门",
                "places": "3",
            },
        ],
    )
    expect(phone.locator("[data-error=forbidden]")).to_be_visible()
    page.reload()
    expect(shifts).to_have_count(2)

    # The snow comes early: she calls the morning's shift off. A reason of blanks is refused
    # beside its field, in Chinese; then the real one, and the fitter's place is released.
    calls = page.locator("[data-action^=call-off]")
    expect(calls).to_have_count(2)  # one form per shift to come
    morning_here = shifts.filter(has_text="3栋门前")
    morning_here.locator("summary", has_text="取消班次").click()
    morning_here.locator("input[name=reason]").fill("   ")
    morning_here.get_by_role("button", name="取消班次").click()
    morning_here = shifts.filter(has_text="3栋门前")
    expect(morning_here.locator("#reason-error")).to_have_text("至少 1 个字")
    morning_here.locator("input[name=reason]").fill("暴雪预警, 暂停扫雪")
    morning_here.get_by_role("button", name="取消班次").click()
    page.wait_for_url(f"**/volunteering/activities/{activity_id}")
    morning_here = shifts.filter(has_text="3栋门前")
    expect(morning_here.locator("[data-called-off]")).to_have_text("班次已取消: 暴雪预警, 暂停扫雪")
    expect(morning_here.locator("[data-attendance=released]")).to_have_count(1)
    expect(calls).to_have_count(1)  # the afternoon's only
    coordinator.shoot("shift-called-off")

    # The fitter sees it on his phone, with the reason, and no button to check in or cancel.
    phone.goto("/volunteering/me")
    mine = phone.locator("#shifts li", has_text="3栋门前")
    expect(mine.locator("[data-called-off]")).to_have_text("班次已取消: 暴雪预警, 暂停扫雪")
    expect(mine.locator("[data-attendance]")).to_have_attribute("data-attendance", "released")
    expect(mine.get_by_role("button")).to_have_count(0)
    fitter.shoot("my-shift-called-off")
    phone.goto(f"/volunteering/activities/{activity_id}")
    called_off = phone.locator("section.shift", has_text="3栋门前")
    expect(called_off.get_by_role("button")).to_have_count(0)

    # Back to the coordinator: a good on the shop's shelf, then more of it.
    page.goto("/volunteering/shop")
    page.locator("[data-action=good] summary").click()
    page.fill("#good-name", GOOD)
    page.select_option("#good-donor-kind", "firm")
    page.fill("#good-donor", "长山便民超市")
    page.fill("#good-price", "60")
    page.fill("#good-stock", "12")
    page.get_by_role("button", name="上架物品").click()
    page.wait_for_url("**/volunteering/shop?community=changshan")
    good = page.locator("[data-item-id]", has_text=GOOD)
    expect(good.locator("[data-stock]")).to_have_text("12")
    expect(good).to_contain_text("爱心企业捐赠")
    good.locator("summary", has_text="补货").click()
    good.locator("input[name=added]").fill("2000000")
    good.get_by_role("button", name="补货").click()
    good = page.locator("[data-item-id]", has_text=GOOD)
    expect(good.locator("#added-error")).to_have_text("应不大于 1000000")
    expect(good.locator("input[name=added]")).to_have_value("2000000")
    coordinator.shoot("shop-goods")
    good.locator("input[name=added]").fill("8")
    good.get_by_role("button", name="补货").click()
    page.wait_for_url("**/volunteering/shop?community=changshan")
    expect(page.locator("[data-item-id]", has_text=GOOD).locator("[data-stock]")).to_have_text("20")

    # The fitter sees it in the shop, with its price, and no form to stock it.
    phone.goto("/volunteering/shop")
    offered = phone.locator("[data-item-id]", has_text=GOOD)
    expect(offered.locator("[data-price]")).to_have_text("60")
    expect(offered.locator("[data-stock]")).to_have_text("20")
    expect(offered.get_by_role("button", name="兑换")).to_be_visible()
    expect(
        phone.locator("[data-action^=restock], [data-action^=retire], [data-action=good]")
    ).to_have_count(0)

    # The coordinator takes it off the shelf (the fold confirms it); the fitter no longer sees it.
    good = page.locator("[data-item-id]", has_text=GOOD)
    good.locator("summary", has_text="下架").click()
    expect(good).to_contain_text("已有的兑换记录保留")
    good.get_by_role("button", name="确认下架").click()
    page.wait_for_url("**/volunteering/shop?community=changshan")
    expect(page.locator("[data-item-id]", has_text=GOOD)).to_have_count(0)
    expect(page.locator("[data-item-id]").first).to_be_visible()  # the other goods stay
    phone.reload()
    expect(phone.locator("[data-item-id]", has_text=GOOD)).to_have_count(0)

    fitter.close()
    coordinator.close()
