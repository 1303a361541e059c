"""The resources pages in a real browser (issue #12): a member unit's liaison claims a micro-wish
on a 375-pixel phone, a party member a moment later is told who has it, the grid closes it after
confirming with the resident, and the fulfilment rate on the dashboard moves; the five lists, a
joint meeting, a project's progress and the scorecards, each photographed at desktop and phone
width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lianxin.demo.lists import FULFILLED, WISHES
from tests.browser.conftest import PHONE
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

WISH = "一辆轮椅（网格长入户登记）"
RESIDENT, CONTACT = "李奶奶", "13900001111"
# Each list and the attribute its rows carry.
LISTS = {
    "needs": "need-id",
    "resources": "offer-id",
    "projects": "project-id",
    "responsibilities": "responsibility-id",
    "feedback": "feedback",
}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def _rate(page):
    return page.locator("#resources-figures [data-wish-rate]")


def test_a_liaison_claims_a_wish_on_a_phone_the_grid_closes_it_and_the_rate_moves(
    lists_platform: Platform, sign_in
) -> None:

    # Taipingjie's coordinator reads this year's rate on her dashboard: the articles' 139 of 163.
    fulfilled, collected = FULFILLED["taipingjie"], WISHES["taipingjie"]
    coordinator = sign_in("tpj-coordinator")
    desk = coordinator.page
    expect(_rate(desk)).to_have_attribute("data-fulfilled", str(fulfilled))
    expect(_rate(desk)).to_have_attribute("data-collected", str(collected))
    expect(_rate(desk).locator(".n")).to_have_text(_percent(fulfilled, collected))

    # The grid leader records a resident's wish on her phone and publishes it (点单, 派单); a
    # field resources refuses is marked in place and nothing typed is lost.
    leader = sign_in("tpj-g01-leader", PHONE)
    page = leader.page
    page.goto("/wishes")
    page.locator("details.card summary").click()
    page.select_option("#grid_node_code", "tpj-g01-m01")
    page.fill("#description", "腿脚不便, 想要一辆轮椅出门晒太阳")
    page.fill("#resident_name", RESIDENT)
    page.fill("#resident_contact", CONTACT)
    page.locator("form[data-action=record] button[type=submit]").click()
    expect(page.locator("#title-error")).to_be_visible()
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#resident_name")).to_have_value(RESIDENT)
    page.fill("#title", WISH)
    page.locator("form[data-action=record] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/wishes#wish-[0-9a-f-]{36}$"))
    wish_id = page.url.rsplit("#wish-", 1)[1]
    card = f"#wish-{wish_id}"
    expect(page.locator(card)).to_have_attribute("data-wish-status", "published")

    # A member unit's liaison and a party member have the board open on their phones: the wish
    # and its grid, never the resident.
    liaison = sign_in("tpj-liaison", PHONE)
    member = sign_in("tpj-volunteer", PHONE)
    for claimant in (liaison, member):
        claimant.page.goto("/wishes")
        expect(claimant.page.locator(f"{card} h3")).to_have_text(WISH)
        assert RESIDENT not in claimant.page.content()
        assert CONTACT not in claimant.page.content()
    liaison.shoot("wishes")

    # The liaison claims it with one button; the party member, a moment late, is told who has it.
    liaison.page.locator(f"{card} form[data-action=claim] button").click()
    expect(liaison.page.locator(card)).to_have_attribute("data-wish-status", "claimed")
    with member.page.expect_response(re.compile(r"/claim$")) as lost:
        member.page.locator(f"{card} form[data-action=claim] button").click()
    assert lost.value.status == 409
    notice = member.page.locator(f"{card} [data-notice=conflict]")
    expect(notice).to_contain_text("手慢了")
    expect(notice).to_contain_text("敦仁派出所")  # tpj-u01, the liaison's unit
    member.shoot("wish-taken")

    # The liaison delivers it with a note and waits for the grid.
    liaison.page.fill(f"#note-{wish_id}", "轮椅已送到李奶奶家, 教会了折叠")
    liaison.page.locator(f"{card} form[data-action=deliver] button").click()
    expect(liaison.page.locator(card)).to_have_attribute("data-wish-status", "delivered")

    # The grid confirms with the resident (her name and contact are on the grid's page only)
    # and closes it (销单).
    page.goto("/wishes")
    page.locator(f"{card} a[href='/wishes/{wish_id}']").click()
    expect(page.locator("[data-resident]")).to_have_text(RESIDENT)
    expect(page.locator("[data-delivery-note]")).to_contain_text("教会了折叠")
    leader.shoot("wish")
    page.locator("form[data-action=close] button").click()
    expect(page.locator("[data-wish-id]")).to_have_attribute("data-wish-status", "closed")

    # The rate on the dashboard moved: one more wish collected this year, and fulfilled.
    desk.reload()
    expect(_rate(desk)).to_have_attribute("data-fulfilled", str(fulfilled + 1))
    expect(_rate(desk)).to_have_attribute("data-collected", str(collected + 1))
    expect(_rate(desk).locator(".n")).to_have_text(_percent(fulfilled + 1, collected + 1))
    # The alliance's dashboard has it by community.
    admin = sign_in("alliance-admin")
    row = admin.page.locator("#resources-figures [data-wish-rate=taipingjie]")
    expect(row).to_contain_text(_percent(fulfilled + 1, collected + 1))
    admin.shoot("dashboard-resources")

    # The liaison's unit is on the quarter's red list; it sees its own scorecard only.
    liaison.page.goto("/scorecards")
    expect(liaison.page.locator("[data-red-black] .list-red [data-listed=tpj-u01]")).to_have_count(
        1
    )
    expect(liaison.page.locator("[data-scorecard]")).to_have_count(1)
    desk.goto("/scorecards")
    expect(desk.locator("[data-scorecard=tpj-u01] [data-score]")).not_to_have_text("0")
    coordinator.shoot("scorecards")

    # A department sees nothing of this.
    department = sign_in("power-operator")
    answer = department.page.goto("/wishes")
    assert answer is not None and answer.status == 403
    expect(department.page.locator("nav a[href='/wishes']")).to_have_count(0)

    for console in (coordinator, leader, liaison, member, admin, department):
        console.close()


def test_the_five_lists_a_joint_meeting_and_a_projects_progress(
    lists_platform: Platform, sign_in
) -> None:
    secretary = sign_in("yxl-coordinator")
    page = secretary.page
    # The quarter's joint meeting: who came, the agenda with its suggested matches, decisions.
    page.goto("/meetings")
    secretary.shoot("meetings")
    page.locator("[data-meeting-id] a").first.click()
    expect(page.locator("[data-attendance] li")).to_have_count(7)  # six units, one department
    expect(page.locator("[data-decision=project]")).to_have_count(1)
    expect(page.locator("[data-decision=responsibility]")).to_have_count(2)
    secretary.shoot("meeting")

    # The pavilion: claimed by two member units; the secretary plans two milestones and reports
    # progress on them.
    page.locator("[data-decision=project] a").click()
    expect(page.locator("[data-claims] [data-claimant]")).to_have_count(2)
    for title, day in (("选址与设计", "2026-12-20"), ("搭建完成", "2027-03-15")):
        page.fill("#milestone-title", title)
        page.fill("#milestone-due", day)
        page.locator("form[data-action=milestone] button").click()
        expect(page.locator("[data-milestone]").last).to_contain_text(title)
    inputs = page.locator("form[data-action=progress] input[type=number]")
    inputs.nth(0).fill("100")
    inputs.nth(1).fill("30")
    page.fill("#note", "选址设计已完成, 材料进场")
    page.locator("form[data-action=progress] button").click()
    expect(page.locator("[data-report]")).to_have_count(1)
    expect(page.locator(".state .pct")).to_have_text("65%")
    secretary.shoot("project")

    # The five lists, the project's progress on them.
    for kind, row in LISTS.items():
        page.goto(f"/lists/{kind}")
        expect(page.locator(f"table[data-list={kind}] tbody tr[data-{row}]").first).to_be_visible()
        secretary.shoot(f"list-{kind}")
    page.goto("/lists/needs?status=declined")
    expect(page.locator("[data-need-id]")).to_have_count(0)
    page.goto("/lists/projects")
    expect(page.locator("[data-project-id] .pct")).to_have_text("65%")

    # English on request.
    page.locator("[data-lang-switch]").click()
    expect(page.locator("h1")).to_have_text("Projects")
    secretary.close()
