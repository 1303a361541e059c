"""Issue #18, the care register on a 375-pixel phone: a carer's own people with the visit form,
her visit as a registered volunteer credited with hours and points on her page, the grid
leader's way from her care page to her grid's page, which names the grid and the person overdue;
the screenshots of both pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianxin.demo.care import load_care, load_care_volunteers
from lianxin.http_clients import async_client
from tests.browser.conftest import PHONE
from tests.conftest import Platform, run_async

pytestmark = pytest.mark.e2e


async def _load(plat: Platform) -> None:
    headers = {"Authorization": f"Bearer {plat.token()}"}
    async with async_client(base_url=plat.url("organisation"), headers=headers) as org:
        await load_care(org)
    async with async_client(base_url=plat.url("volunteers"), headers=headers) as volunteers:
        await load_care_volunteers(volunteers)  # 赵红, the carer below, volunteers too


@pytest.fixture
def care_platform(demo_platform: Platform) -> Platform:
    """The demo with its care register."""
    run_async(_load(demo_platform))
    return demo_platform


def test_a_carer_records_a_visit_and_the_grid_leader_finds_her_grid(
    care_platform: Platform, sign_in
) -> None:
    carer = sign_in("yxl-volunteer", PHONE)
    page = carer.page
    page.goto("/care")
    wang = page.locator('[data-entry="yxl-care-001"]')
    expect(wang.locator("h2")).to_have_text("王秀英")
    expect(page.locator("[data-grids-kept]")).to_have_count(0)  # a carer keeps no grid
    wang.locator("summary").click()
    expect(wang.locator("[data-as-volunteer]")).to_be_visible()
    wang.locator("select").select_option("meal_delivery")  # her home visit stays overdue
    wang.locator("textarea").fill("精神不错，午饭吃完了")
    wang.locator('input[name="minutes"]').fill("45")
    wang.locator('button[type="submit"]').click()
    expect(page.locator('[data-notice="care.recorded_volunteer"]')).to_be_visible()
    # Volunteers credits the visit from its event: her page shows it once it has.
    credited = page.locator("[data-care-service]")
    for _ in range(60):
        if credited.count():
            break
        page.wait_for_timeout(500)
        page.goto("/care")
    expect(credited).to_have_count(1)
    expect(credited).to_contain_text("关爱送餐")
    expect(credited).to_contain_text("0.75 小时 · +7 积分")
    carer.shoot("care-mine")
    carer.close()

    leader = sign_in("yxl-g01-leader", PHONE)
    page = leader.page
    page.goto("/care")
    page.locator('[data-grid-link="yxl-g01"]').click()
    expect(page.locator("h1")).to_have_text("网格关爱 · 第一网格")
    expect(page.locator('[data-overdue="yxl-care-001"]')).to_contain_text("王秀英")
    expect(page.locator("#care-follow-ups li")).to_have_text(["暂无"])
    leader.shoot("care-grid")
    leader.close()
