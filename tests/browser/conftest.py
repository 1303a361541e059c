"""Browser tests: Playwright driving the machine's own Chromium (Debian's packages).

No `playwright install`: the tests use Debian's headless shell of Chromium (package
`chromium-headless-shell`, what Playwright itself runs for headless tests), else Debian's full
`chromium`, or LIANXIN_CHROMIUM. The shell renders the same pages with well under half the CPU
(the whole browser folder: 117 s of Chromium's CPU against 303 s), which on two cores is the
test run's time. Without either they are skipped with a message saying how to install it, except
in CI (`CI=true`), where a missing browser fails the run: CI must not pass by testing less.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from lianxin.demo.accounts import PASSWORD
from tests.conftest import Platform

HEADLESS_SHELL, FULL = Path("/usr/lib/chromium/chromium-headless-shell"), Path("/usr/bin/chromium")
CHROMIUM = Path(
    os.environ.get("LIANXIN_CHROMIUM") or (HEADLESS_SHELL if HEADLESS_SHELL.exists() else FULL)
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Written only when asked (`make screenshots`): a full-page PNG at two widths costs CPU (three
# browser files: 80 s against 73 s), and `make test` would otherwise change every tracked one.
SHOOTING = os.environ.get("LIANXIN_SCREENSHOTS", "") == "1"
DESKTOP, PHONE = 1280, 375
INSTALL = "sudo apt-get install -y chromium-headless-shell fonts-noto-cjk"


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"no Chromium at {CHROMIUM}: install it with `{INSTALL}` (or set LIANXIN_CHROMIUM)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="package")
def package_browser(platform_processes: Platform) -> Iterator:
    """One headless Chromium for every browser test (starting one takes seconds, ten or more on
    a busy machine; each test gets contexts of its own, closed after it, see `browser`), closed
    after this folder's last test. While it is open, Playwright's sync API keeps an event loop
    running in this thread: the platform's fixtures run theirs in a thread of their own then
    (`tests.conftest.run_async`), and so must a test's."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser(package_browser, demo_platform: Platform) -> Iterator:
    """The shared Chromium, for one test: whatever pages and cookies the test opened (a
    `Console` it did not close, having failed) are closed after it, so no test sees another's."""
    yield package_browser
    for context in package_browser.contexts:
        context.close()


class Console:
    """The console in a browser, as one demo user."""

    def __init__(self, browser, base_url: str, width: int = DESKTOP) -> None:
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": 900}, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Whatever the Content-Security-Policy blocked (an inline script, a foreign image):
        # Chromium reports it in the page's console, and any one fails the test.
        self.page.on("console", self._csp_violation)
        # And whatever a page asked for that is not there (an icon, a script, an image); a page
        # itself may be a 404 on purpose.
        self.page.on("response", self._missing)

    def _csp_violation(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.errors.append(message.text)

    def _missing(self, response) -> None:
        if response.status == 404 and response.request.resource_type != "document":
            self.errors.append(f"{self.page.url} asked for {response.url}: 404")

    def sign_in(self, username: str) -> Console:
        """By keyboard only: the user name field has focus when the page opens."""
        page = self.page
        page.goto("/login")
        # Typing goes where the focus is: wait for the page's autofocus (Chromium gives it at a
        # rendering step after the load event), which also checks that the page gives it.
        expect(page.locator("#username")).to_be_focused()
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        try:
            page.wait_for_url(self.base_url + "/")
        except PlaywrightTimeout as timeout:
            # What the login page said (a refusal, a wait, the service down), not only that it
            # stayed there.
            said = " ".join(page.inner_text("body").split())[:300]
            typed = page.input_value("#username") if page.locator("#username").count() else "?"
            raise AssertionError(
                f"{username} was not signed in (the form held {typed!r}); {page.url}: {said}"
            ) from timeout
        return self

    def shoot(self, name: str) -> None:
        """The page at desktop and phone width, checking that at phone width nothing sticks out
        sideways (wide tables scroll inside their own box); into docs/screenshots when
        `SHOOTING`."""
        page = self.page
        was = page.viewport_size or {"width": DESKTOP, "height": 900}
        for width in (DESKTOP, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(100)  # ECharts redraws on resize
            if width == PHONE:
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= PHONE, f"{name} is {overflow}px wide on a phone"
            if SHOOTING:
                page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        page.set_viewport_size(was)  # the test goes on at the width it chose

    def close(self) -> None:
        assert not self.errors, self.errors
        self.context.close()


@pytest.fixture
def sign_in(browser, demo_platform: Platform) -> Callable[..., Console]:
    """Opens the console signed in as the demo user named, at desktop width unless told; the
    test closes it (which checks what its pages met), or `browser` does after a failure."""

    def signed_in(username: str, width: int = DESKTOP) -> Console:
        try:
            return Console(browser, demo_platform.url("console"), width).sign_in(username)
        except AssertionError as refused:
            # Why organisation refused (its sign-in audit: unknown account, wrong password,
            # inactive, throttled), which the login page rightly does not tell.
            with demo_platform.http("organisation") as organisation:
                audit = organisation.get("/sign-ins", params={"limit": 5})
            raise AssertionError(f"{refused}\nsign-in audit: {audit.text[:1500]}") from refused

    return signed_in


def report_incident(demo_platform: Platform, **extra) -> str:
    """An incident the grid leader reported in grid tpj-g01, by the API; returns its id."""
    leader = demo_platform.token("tpj-g01-leader", PASSWORD)
    with demo_platform.http("incidents", leader) as incidents:
        reported = incidents.post(
            "/incidents",
            json={
                "micro_grid_code": "tpj-g01-m01",
                "category": "power_supply",
                "urgency": "general",
                "description": "3 号楼楼道灯不亮",
                **extra,
            },
        )
    assert reported.status_code == 201, reported.text
    return reported.json()["id"]
