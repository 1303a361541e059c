"""Issue 17 item 8: the console's pages carry a Content-Security-Policy that allows no inline
script, and nothing the console itself serves breaks it. Every browser test's `Console` fails
on a violation the page reports (tests/browser/conftest.py); this one walks the pages that
post forms, load photos and draw charts, as an administrator and as a grid leader, and shows
that an inline script a page might be tricked into carrying would not run."""

from __future__ import annotations

import pytest

from tests.browser.conftest import report_incident
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

PAGES = {
    "alliance-admin": ["/", "/incidents", "/operations", "/board", "/lists", "/meetings"],
    "tpj-g01-leader": ["/", "/inbox", "/grid", "/wishes", "/volunteering/activities"],
}


def test_the_consoles_pages_break_no_rule_of_their_policy(demo_platform: Platform, sign_in) -> None:
    incident_id = report_incident(demo_platform)
    for username, paths in PAGES.items():
        console = sign_in(username)
        for path in [*paths, f"/incidents/{incident_id}"]:
            answer = console.page.goto(path)
            assert answer is not None and answer.status < 500, path
            policy = answer.headers["content-security-policy"]
            assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, path
        console.close()  # fails on any violation the pages reported


def test_an_inline_script_is_refused_and_the_refusal_is_seen(sign_in) -> None:
    console = sign_in("tpj-coordinator")
    page = console.page
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.injected = true;";
              document.head.appendChild(script);
            }"""
        )
    assert page.evaluate("window.injected === undefined")
    assert any("Content Security Policy" in e for e in console.errors), console.errors
    console.errors.clear()
    console.close()
