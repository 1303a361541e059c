"""Issue 17 item 8 through the console: a password guesser is made to wait (in Chinese), every
console response carries the security headers, every POST needs the session's CSRF token, and
the alliance administrator reads the sign-in audit on the operations page."""

from __future__ import annotations

import pytest

from lianxin import http_clients
from lianxin.demo.accounts import PASSWORD
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

GUESSER = "203.0.113.66"  # the browser's address, as the console's trusted proxy says it


def test_a_guesser_is_told_in_chinese_how_long_to_wait_and_the_audit_names_its_address(
    demo_platform: Platform,
) -> None:
    visitor = demo_platform.console_visitor()
    visitor.headers["X-Forwarded-For"] = GUESSER
    guess = {"username": "tpj-coordinator", "password": "x"}
    answers = []
    for _ in range(15):  # the waits double past the free failures: one outlasts the next try
        answers.append(visitor.post("/login", data=guess))
        if answers[-1].status_code == 429:
            break
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [401] * 5, statuses
    throttled = answers[-1]
    assert throttled.status_code == 429, statuses
    assert "登录失败次数过多" in throttled.text and "data-login-wait" in throttled.text
    assert int(throttled.headers["Retry-After"]) >= 1

    admin = demo_platform.console_as("alliance-admin")
    page = admin.get("/operations")
    assert page.status_code == 200
    assert page.text.count("data-signins") == 1 and "<title>运维 · 连心</title>" in page.text
    section = page.text[page.text.index("data-signins") :]
    assert "登录记录" in section and GUESSER in section and "被限制" in section
    lines = demo_platform.http("organisation").get("/sign-ins").json()
    mine = [s for s in lines if s["username"] == "tpj-coordinator"]
    assert {s["address"] for s in mine} == {GUESSER}
    assert {s["result"] for s in mine} >= {"failed", "throttled"}


def test_the_sign_in_audit_is_the_administrators_alone(demo_platform: Platform) -> None:
    coordinator = demo_platform.token("tpj-coordinator", PASSWORD)
    with demo_platform.http("organisation", coordinator) as org:
        assert org.get("/sign-ins").status_code == 403
    assert demo_platform.console_as("tpj-coordinator").get("/operations").status_code == 403


def test_a_post_without_the_sessions_csrf_token_is_refused(demo_platform: Platform) -> None:
    console = demo_platform.console_as("tpj-coordinator")
    token = console.headers.pop("X-CSRF-Token")

    missing = console.post("/logout")
    assert missing.status_code == 403 and "页面已过期" in missing.text
    wrong = console.post("/logout", data={"csrf_token": token[::-1]})
    assert wrong.status_code == 403
    script = console.post("/logout", headers={"Accept": "application/json"})
    assert script.status_code == 403
    assert script.headers["content-type"] == "application/problem+json"
    # Still signed in: none of those reached the route.
    assert console.get("/").status_code == 200

    # The form's own field is enough (what a page without the script sends).
    assert console.post("/logout", data={"csrf_token": token}).status_code == 303
    # A sign-in from a page of another site carries no token either.
    with http_clients.sync_client(base_url=demo_platform.url("console")) as other_site:
        forged = other_site.post("/login", data={"username": "tpj-coordinator", "password": "x"})
    assert forged.status_code == 403
    # A sign-in that expired while the user typed: nothing to forge, so no 403; the report goes
    # to sign in (the page keeps the draft for after it).
    with http_clients.sync_client(base_url=demo_platform.url("console")) as expired:
        report = expired.post("/inbox/incidents", data={"description": "楼道灯不亮"})
    assert report.status_code in (302, 303), report.text[:200]
    assert report.headers["location"].startswith("/login")


def test_the_rating_link_needs_no_session_and_no_csrf_token(demo_platform: Platform) -> None:
    with http_clients.sync_client(base_url=demo_platform.url("console")) as resident:
        answer = resident.post("/rate/no-such-link", data={"rating": "satisfied"})
    # Refused for its unknown link (its own token is its protection), not for a CSRF token.
    assert answer.status_code != 403 and "页面已过期" not in answer.text


def test_every_console_response_carries_the_security_headers(demo_platform: Platform) -> None:
    console = demo_platform.console_as("tpj-coordinator")
    for path in ("/login", "/", "/incidents", "/static/console.js", "/no-such-page"):
        headers = console.get(path).headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        ), path
        assert "img-src 'self' data: blob:" in policy, path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
    for service in ("organisation", "incidents"):
        healthz = http_clients.get(demo_platform.url(service) + "/healthz")
        assert healthz.headers["x-content-type-options"] == "nosniff"
