"""Issue #15, defects 8 and 9 and the incident list, in a real browser at phone width where it
is a phone: a sign-in that slides while the user works, a report typed before an expiry that
survives signing in again, Back after signing out showing nothing private; a department
operator's own queue; searching, filtering, paging and exporting the incident list."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lianxin.demo.accounts import PASSWORD
from tests.browser.conftest import PHONE, Console
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

LEADER = "tpj-g01-leader"
REPORT = "3号楼东侧路灯不亮已一周（过期前填写）"


def _cookies(console: Console) -> dict[str, dict]:
    return {c["name"]: c for c in console.context.cookies()}


def test_the_sign_in_slides_past_the_access_tokens_lifetime_while_the_user_works(sign_in) -> None:
    console = sign_in(LEADER, PHONE)
    page = console.page
    first = _cookies(console)
    refresh = first["lianxin_refresh"]
    assert refresh["httpOnly"] and refresh["sameSite"] == "Lax"
    assert first["lianxin_token"]["httpOnly"]
    # The access cookie lives a little less than its token; the refresh cookie for the sign-in.
    assert refresh["expires"] - first["lianxin_token"]["expires"] > 3600

    seen = {refresh["value"]}
    for path in ("/incidents", "/inbox", "/grid"):
        # The access token's lifetime has passed: the browser drops its cookie (max-age), as it
        # does after LIANXIN_ACCESS_TOKEN_SECONDS; the user goes on working.
        console.context.clear_cookies(name="lianxin_token")
        answer = page.goto(path)
        assert answer is not None and answer.ok
        assert urlsplit(page.url).path == path  # not the login page
        expect(page.locator("header .who")).to_be_visible()
        now = _cookies(console)
        assert "lianxin_token" in now
        assert now["lianxin_refresh"]["value"] not in seen  # rotated on each use
        seen.add(now["lianxin_refresh"]["value"])
    console.close()


def test_after_an_expiry_signing_in_returns_to_the_page_with_the_report_typed(sign_in) -> None:
    console = sign_in(LEADER, PHONE)
    page = console.page
    page.goto("/inbox")
    page.get_by_label("描述", exact=True).fill(REPORT)
    page.get_by_label("影响户数").fill("12")
    # The sign-in ends for real while the leader types: both cookies are gone.
    console.context.clear_cookies()
    page.get_by_role("button", name="上报", exact=True).click()

    page.wait_for_url(re.compile(r"/login\?next=%2Finbox$"))
    expect(page.locator("[data-login-again]")).to_be_visible()
    page.get_by_label("用户名").fill(LEADER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(re.compile(r"/inbox$"))
    expect(page.get_by_label("描述", exact=True)).to_have_value(REPORT)
    expect(page.get_by_label("影响户数")).to_have_value("12")
    expect(page.locator("[data-draft-note]")).to_be_visible()
    page.get_by_role("button", name="上报", exact=True).click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}$"))
    expect(page.get_by_text(REPORT).first).to_be_visible()
    # Taken: the inbox does not offer it again.
    page.goto("/inbox")
    expect(page.get_by_label("描述", exact=True)).to_have_value("")
    console.close()


def test_signing_in_goes_back_only_to_a_path_on_this_site(demo_platform: Platform) -> None:
    http = demo_platform.console_visitor()  # a browser that opened the login page
    try:
        for target, lands in (
            ("/incidents?status=escalated", "/incidents?status=escalated"),
            ("https://evil.example/", "/"),
            ("//evil.example/x", "/"),
            ("/\\evil.example", "/"),
        ):
            form = {"username": LEADER, "password": PASSWORD, "next": target}
            answer = http.post("/login", data=form)
            assert answer.status_code == 303 and answer.headers["location"] == lands, target
            http.headers["X-CSRF-Token"] = http.cookies["lianxin_csrf"]  # renewed at sign-in
    finally:
        http.close()


def test_back_after_signing_out_shows_no_private_data(sign_in) -> None:
    console = sign_in(LEADER, PHONE)
    page = console.page
    private = "5号楼王大爷家中漏水（住户电话 13900002222）"
    page.goto("/inbox")
    page.get_by_label("描述", exact=True).fill(private)
    with page.expect_response(re.compile(r"/incidents/[0-9a-f-]{36}$")) as shown:
        page.get_by_role("button", name="上报", exact=True).click()
    assert "no-store" in shown.value.headers["cache-control"]
    expect(page.get_by_text(private).first).to_be_visible()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/login$"))

    page.go_back()

    page.wait_for_url(re.compile(r"/login"))
    expect(page.get_by_text(private)).to_have_count(0)
    expect(page.get_by_label("用户名")).to_be_visible()
    console.close()


def _reported(plat: Platform, coordinator: httpx.Client, **fields) -> dict:
    body = {
        "micro_grid_code": "tpj-g01-m01",
        "category": "city_appearance",
        "urgency": "general",
        "affected_households": 1,
        **fields,
    }
    answer = coordinator.post("/incidents", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_department_operators_home_is_its_own_queue_by_deadline(
    demo_platform: Platform, sign_in
) -> None:
    plat = demo_platform
    coordinator = plat.http("incidents", plat.token("tpj-coordinator", PASSWORD))
    power = plat.http("incidents", plat.token("power-operator", PASSWORD))
    whistled = []
    for text in ("3号楼单元停电", "朝华新城变压器故障", "路灯线路老化"):
        incident = _reported(plat, coordinator, category="power_supply", description=text)
        escalated = coordinator.post(
            f"/incidents/{incident['id']}/escalation", json={"department_codes": ["power_supply"]}
        )
        assert escalated.status_code == 200, escalated.text
        whistled.append(escalated.json())
    signed = whistled[2]["assignments"][0]
    assert power.post(f"/assignments/{signed['id']}/acknowledgement", json={}).is_success
    to_sign = sorted(whistled[:2], key=lambda i: i["assignments"][0]["acknowledge_by"])

    console = sign_in("power-operator", PHONE)
    page = console.page
    expect(page.locator("h1")).to_contain_text("本部门待办")
    listed = page.locator("[data-queue=to_sign] li[data-incident-id]")
    expect(listed).to_have_count(2)
    assert [listed.nth(n).get_attribute("data-incident-id") for n in range(2)] == [
        i["id"] for i in to_sign
    ]
    expect(listed.first.locator("[data-ticket]")).to_have_text(to_sign[0]["ticket_no"])
    assert re.fullmatch(r"TPJ-\d{8}-\d{4}", to_sign[0]["ticket_no"])
    in_progress = page.locator("[data-queue=in_progress] li[data-incident-id]")
    expect(in_progress).to_have_attribute("data-incident-id", whistled[2]["id"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    console.shoot("department-home")

    # Signing for it first: the result form is not offered before.
    listed.first.locator("a").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}$"))
    expect(page.locator("form[data-action=resolution]")).to_have_count(0)
    page.locator("form[data-action=acknowledgement] button").click()
    expect(page.locator("form[data-action=resolution]")).to_have_count(1)
    console.close()


def test_the_incident_list_searches_filters_pages_and_exports_what_it_shows(
    demo_platform: Platform, sign_in
) -> None:
    plat = demo_platform
    coordinator = plat.http("incidents", plat.token("tpj-coordinator", PASSWORD))
    covers = [_reported(plat, coordinator, description=f"井盖缺失 {n} 号") for n in range(22)]
    lamp = _reported(plat, coordinator, category="power_supply", description="路灯不亮")

    console = sign_in("tpj-coordinator", PHONE)
    page = console.page
    page.goto("/incidents")
    page.get_by_label("搜索").fill("井盖")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("[data-total]")).to_have_attribute("data-total", "22")
    rows = page.locator("#incident-list tr[data-incident-id]")
    expect(rows).to_have_count(20)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.locator("[data-page-link=next]").click()
    expect(rows).to_have_count(2)
    expect(page.locator("[data-page]")).to_have_text("第 2 / 2 页")

    # Filters: the category, and the days reported (China's).
    page.goto("/incidents")
    page.get_by_label("类别").select_option(label="供电")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-incident-id", lamp["id"])
    today = lamp["ticket_no"].split("-")[1]
    day = f"{today[:4]}-{today[4:6]}-{today[6:]}"
    page.goto(f"/incidents?q=%E4%BA%95%E7%9B%96&from={day}&to={day}")
    expect(page.locator("[data-total]")).to_have_attribute("data-total", "22")

    # A ticket number in the search box, or in the URL, opens its incident.
    wanted = covers[7]
    page.goto("/incidents")
    page.get_by_label("搜索").fill(wanted["ticket_no"].lower())
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(f"**/incidents/{wanted['id']}")
    expect(page.locator("[data-ticket] dd")).to_have_text(wanted["ticket_no"])
    page.goto(f"/incidents/{covers[3]['ticket_no']}")
    page.wait_for_url(f"**/incidents/{covers[3]['id']}")

    # Export what the list shows (every page of it), with names and Chinese headers.
    page.goto("/incidents?q=%E4%BA%95%E7%9B%96")
    with page.expect_download() as xlsx:
        page.locator("[data-export=xlsx]").click()
    sheet = load_workbook(io.BytesIO(xlsx.value.path().read_bytes())).active
    table = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0][:3] == ["工单号", "上报时间", "社区"]
    assert sorted(r[0] for r in table[1:]) == sorted(i["ticket_no"] for i in covers)
    assert {r[2] for r in table[1:]} == {"太平街社区"} and {r[4] for r in table[1:]} == {"市容环境"}
    assert all("井盖" in r[6] for r in table[1:])
    with page.expect_download() as csv_file:
        page.locator("[data-export=csv]").click()
    with open(csv_file.value.path(), encoding="utf-8-sig") as f:
        text = list(csv.reader(io.StringIO(f.read())))
    assert text[0][0] == "工单号" and len(text) == 23
    console.close()
