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


def test_the_sign_in_slides_past_the_access_tokens_lifetime_while_the_user_works(
    demo_platform: Platform, browser
) -> None:
    console = Console(browser, demo_platform.url("console"), width=PHONE).sign_in(LEADER)
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


def test_after_an_expiry_signing_in_returns_to_the_page_with_the_report_typed(
    demo_platform: Platform, browser
) -> None:
    console = Console(browser, demo_platform.url("console"), width=PHONE).sign_in(LEADER)
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
    with httpx.Client(base_url=demo_platform.url("console")) as http:
        for target, lands in (
            ("/incidents?status=escalated", "/incidents?status=escalated"),
            ("https://evil.example/", "/"),
            ("//evil.example/x", "/"),
            ("/\\evil.example", "/"),
        ):
            form = {"username": LEADER, "password": PASSWORD, "next": target}
            answer = http.post("/login", data=form)
            assert answer.status_code == 303 and answer.headers["location"] == lands, target


def test_back_after_signing_out_shows_no_private_data(demo_platform: Platform, browser) -> None:
    console = Console(browser, demo_platform.url("console"), width=PHONE).sign_in(LEADER)
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
