"""The console in a real browser: a grid leader's report becomes a whistle, a department answers
it, and every open page follows along without a reload; scope holds; operators see the trace."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Console, report_incident
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

DESCRIPTION = "朝华新城变压器故障, 288 户居民和 50 户商户停电"
LIVE = 30_000  # ms: how long a page may take to hear of a change (a bound, not a measurement)


def _status(page):
    return page.locator("#incident .state [data-status]")


def _mark_document(page) -> None:
    """Tag the loaded document: a reload would drop the tag."""
    page.evaluate("window.lianxinSameDocument = true")


def _same_document(page) -> bool:
    return page.evaluate("window.lianxinSameDocument === true")


def test_a_whistle_from_a_phone_report_to_the_departments_resolution(
    demo_platform: Platform, browser, sign_in
) -> None:
    url = demo_platform.url("console")

    # Her community's coordinator has the inbox open, listening.
    coordinator = sign_in("tpj-coordinator")
    desk = coordinator.page
    desk.goto("/inbox")
    expect(desk.locator("body.live")).to_have_count(1)
    _mark_document(desk)

    # A grid leader reports from a phone; a field the API rejects is marked in place.
    leader = Console(browser, url, width=PHONE)
    leader.page.goto("/login")
    leader.shoot("login")
    leader.sign_in("tpj-g01-leader")
    page = leader.page
    page.goto("/inbox")
    page.select_option("#micro_grid_code", "tpj-g01-m01")
    page.select_option("#category", "power_supply")
    page.check("input[name=urgency][value=emergency]")
    page.fill("#description", DESCRIPTION)
    page.fill("#affected_households", "2000000")
    page.fill("#affected_merchants", "50")
    page.press("#affected_merchants", "Enter")  # submits, as a keyboard user would
    expect(page.locator("#affected_households-error")).to_be_visible()
    expect(page.locator("#affected_households")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#description")).to_have_value(DESCRIPTION)  # nothing typed is lost
    page.fill("#affected_households", "288")
    page.press("#affected_households", "Enter")
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}$"))
    incident_id = page.url.rsplit("/", 1)[1]
    expect(_status(page)).to_have_attribute("data-status", "reported")
    expect(page.locator("body.live")).to_have_count(1)  # listening for events
    _mark_document(page)

    # The report appears in the coordinator's inbox without a reload; she escalates it, the
    # routing rule's department pre-selected.
    reported = desk.locator(f"[data-list=to_handle] [data-incident-id='{incident_id}'] a")
    expect(reported).to_have_count(1, timeout=LIVE)
    assert _same_document(desk), "the inbox was reloaded"
    coordinator.shoot("inbox")
    reported.click()
    desk.wait_for_url(f"**/incidents/{incident_id}")
    power = desk.locator("input[name=department_codes][value=power_supply]")
    expect(power).to_be_checked()
    for other in desk.locator("input[name=department_codes]:checked").all():
        if other.get_attribute("value") != "power_supply":
            other.uncheck()
    desk.select_option("#lead_department_code", "power_supply")
    desk.locator("form[data-action=escalation] button[type=submit]").click()
    expect(_status(desk)).to_have_attribute("data-status", "escalated")
    expect(desk.locator("body.live")).to_have_count(1)
    _mark_document(desk)

    # The leader's page heard of the escalation without a reload.
    expect(_status(page)).to_have_attribute("data-status", "escalated", timeout=LIVE)

    # The power supply company's system signs for it and resolves it.
    department = demo_platform.dept_sim("power_supply", limit=1)
    assert department.wait(60) == 0, demo_platform.log("incidents")
    for open_page in (page, desk):
        expect(_status(open_page)).to_have_attribute("data-status", "resolved", timeout=LIVE)
        expect(open_page.locator("[data-assignment=power_supply]")).to_have_attribute(
            "data-assignment-status", "resolved"
        )
        timeline = open_page.locator(".timeline [data-action]")
        expect(timeline.first).to_have_attribute("data-action", "reported")
        expect(open_page.locator(".timeline [data-action=acknowledged]")).to_have_count(1)
        assert _same_document(open_page), "the page was reloaded"
    seen = page.evaluate("window.lianxinStatuses")
    assert seen.index("escalated") < seen.index("resolved"), seen

    # The grid checks on the spot and records the resident's word; the coordinator's page
    # follows to the closed loop, still without a reload.
    page.fill("#verify-note", "现场核实: 已恢复供电")
    page.locator("form[data-action=verification] button[type=submit]").click()
    expect(_status(page)).to_have_attribute("data-status", "verified")
    page.check("input[name=rating][value=satisfied]")
    page.fill("#feedback-comment", "抢修及时")
    page.locator("form[data-action=feedback] button[type=submit]").click()
    expect(_status(page)).to_have_attribute("data-status", "closed")
    expect(_status(desk)).to_have_attribute("data-status", "closed", timeout=LIVE)
    expect(desk.locator("[data-rating=satisfied]")).to_have_count(1)
    assert _same_document(desk), "the page was reloaded"
    seen = desk.evaluate("window.lianxinStatuses")
    assert seen.index("resolved") < seen.index("closed"), seen
    coordinator.shoot("incident")
    coordinator.page.goto("/")
    coordinator.shoot("dashboard")
    coordinator.page.goto("/grid")
    coordinator.shoot("grid")
    coordinator.page.goto("/board")
    expect(coordinator.page.locator("[data-department=power_supply] [data-held]")).to_have_text("0")
    coordinator.shoot("board")

    # Another community's coordinator cannot open it, nor find it listed.
    other = sign_in("cs-coordinator")
    answer = other.page.goto(f"/incidents/{incident_id}")
    assert answer is not None and answer.status == 404
    expect(other.page.locator("[data-error=not_found]")).to_be_visible()
    assert DESCRIPTION not in other.page.content()
    other.page.goto("/incidents")
    expect(other.page.locator(f"[data-incident-id='{incident_id}']")).to_have_count(0)
    other.page.goto("/operations")
    expect(other.page.locator("[data-error=forbidden]")).to_be_visible()

    # The operator follows the incident's trace across the services it crossed.
    operator = sign_in("alliance-admin")
    ops = operator.page
    ops.goto(f"/incidents/{incident_id}")
    ops.locator("a[data-trace]").click()
    ops.wait_for_url(f"**/operations/incidents/{incident_id}/trace")
    for _ in range(50):  # spans are written in batches: look again until every process's are in
        services = {s.get_attribute("data-service") for s in ops.locator(".legend li").all()}
        if {"console", "incidents", "department-power_supply"} <= services and len(services) >= 4:
            break
        ops.wait_for_timeout(200)
        ops.reload()
    assert {"console", "incidents", "department-power_supply"} <= services, services
    assert len(services) >= 4, services
    operator.shoot("trace")
    ops.goto("/operations")
    expect(ops.locator("[data-consumer=dept_power_supply]")).to_have_count(1)
    expect(ops.locator("[data-outbox=incidents]")).to_have_count(1)
    operator.shoot("operations")

    # English on request, kept in a cookie.
    ops.locator("[data-lang-switch]").click()
    expect(ops.locator("h1")).to_have_text("Operations")

    for console in (leader, coordinator, other, operator):
        console.close()


def test_the_dashboard_follows_the_event_stream_and_redraws_its_chart(
    demo_platform: Platform, sign_in
) -> None:
    coordinator = sign_in("tpj-coordinator")
    desk = coordinator.page
    desk.goto("/")
    expect(desk.locator("body.live")).to_have_count(1)
    expect(desk.locator("[data-count=open]")).to_have_text("0")
    chart = desk.locator("[data-chart=trend][data-drawn] svg")
    expect(chart).to_have_count(1)
    desk.evaluate("document.querySelector('[data-chart=trend]').dataset.before = '1'")
    _mark_document(desk)

    reported = report_incident(
        demo_platform, category="landscaping", description="小区行道树倒伏, 压住两辆车"
    )

    expect(desk.locator("[data-count=open]")).to_have_text("1", timeout=LIVE)
    recent = desk.locator(f"#recent [data-incident-id='{reported}']")
    expect(recent).to_have_count(1, timeout=LIVE)
    # The rates card came back with the page's parts and its chart was drawn again.
    fresh = desk.locator("[data-chart=trend][data-drawn]:not([data-before]) svg")
    expect(fresh).to_have_count(1, timeout=LIVE)
    assert _same_document(desk), "the dashboard was reloaded"
    coordinator.close()
