"""Every console page, as each demo role, on a 375-pixel phone (issue #15): no page answers 5xx,
none is wider than the screen, and the Chinese interface has no English left in it outside what
is not to be translated (names and codes users typed, product names, units, trace ids).

The walk starts at each role's home and follows every link on the site it finds, one page per
kind of page (incident pages are one kind, whatever the incident), so a page added later is
walked without this test knowing of it. The demo's resources lists, volunteers and an incident
at each step of its life give the pages something to show."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from lianxin.demo.accounts import ACCOUNTS, PASSWORD
from tests.browser.conftest import PHONE, Console
from tests.conftest import Platform, with_layers

pytestmark = pytest.mark.e2e

# Words allowed in the Chinese interface: the product's name, the language switch, units and
# abbreviations people read as they are, and the demo's own names that are English.
ALLOWED = {
    "Lianxin",  # the product, beside 连心
    "English",  # the link to the English interface, in English on purpose
    "ms",  # milliseconds, in the trace view
    "km",
    "QR",
    "Jaeger",  # a product's name, on the link to it
    # File formats, named as people know them: the export links and the photo field's hint.
    *("CSV", "Excel", "JPEG", "PNG", "WebP", "HEIC", "MB"),
}
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# Pages that are not pages: the event stream, fragments, switches and forms' targets (and
# downloads, the links marked `download`, left out where the links are gathered).
NOT_PAGES = re.compile(r"^/(events|lang|logout|static/|.*/fragment$)")
ID = re.compile(r"/([0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32}|\d+)(?=/|$)")

# The visible text of the page, without what is marked not to be translated (translate="no":
# names, span names, trace ids), code, and form values.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[translate=no], code, script, style, noscript, option')
    .forEach(e => e.remove());
  return body.innerText;
}"""


@pytest.fixture
def walked_platform(demo_platform: Platform) -> Platform:
    """The demo's lists and volunteering on the demo alliance."""
    return with_layers(demo_platform, "lists", "volunteering")


def _incident(plat: Platform) -> dict:
    """An incident at each step of the whistle; returns the one escalated."""
    leader = plat.token("tpj-g01-leader", PASSWORD)
    coordinator = plat.token("tpj-coordinator", PASSWORD)
    report = {"micro_grid_code": "tpj-g01-m01", "category": "power_supply", "urgency": "general"}
    with plat.http("incidents", leader) as as_leader, plat.http("incidents", coordinator) as desk:
        waiting = as_leader.post("/incidents", json={**report, "description": "楼道灯不亮"})
        whistled = as_leader.post("/incidents", json={**report, "description": "变压器异响"})
        escalated = desk.post(
            f"/incidents/{whistled.json()['id']}/escalation",
            json={"department_codes": ["power_supply"], "lead_department_code": "power_supply"},
        )
    assert waiting.status_code == 201 and escalated.status_code == 200, escalated.text
    return escalated.json()


def _kind(path: str) -> str:
    """The kind of page a link opens: its path with ids as {id} (a filter's query shows the
    same page with fewer rows: the start's filtered lists are walked as given)."""
    return ID.sub("/{id}", urlsplit(path).path)


def _english(text: str) -> list[str]:
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED})


def _walk(console: Console, who: str, start: list[str]) -> dict[str, list[str]]:
    """Follow every link on the site from `start`; each page's problems, by path."""
    page, base = console.page, console.base_url
    seen: set[str] = set()  # paths walked, and their kinds
    queue = list(start)
    problems: dict[str, list[str]] = {}
    while queue:
        path = queue.pop(0)
        kind = _kind(path)
        if (
            NOT_PAGES.match(urlsplit(path).path)
            or path in seen
            or (kind in seen and path not in start)
        ):
            continue
        seen.update({path, kind})
        print(who, path)  # shown when the test fails: how far the walk went
        answer = page.goto(path)
        found = []
        if answer is None or answer.status >= 500:
            found.append(f"answered {answer.status if answer else 'nothing'}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            found.append(f"{width} px wide")
        if english := _english(page.evaluate(VISIBLE_TEXT)):
            found.append(f"English: {english}")
        if found:
            problems[path] = found
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "as => as.map(a => a.href)"
        ):
            link = href[len(base) :].split("#")[0] if href.startswith(base + "/") else None
            if link and _kind(link) not in seen:
                queue.append(link)
    return problems


# One account per role: every role's pages, without walking the same role's twice.
ROLES = {account["role"]: account["username"] for account in reversed(ACCOUNTS)}


@pytest.mark.timeout(900)  # some 200 pages in a loaded browser, each checked
def test_every_page_as_every_role_on_a_phone(walked_platform: Platform, browser, sign_in) -> None:
    incident = _incident(walked_platform)
    extra = [
        f"/incidents/{incident['id']}",
        f"/operations/incidents/{incident['id']}/trace",
        "/incidents?status=open",
    ]
    if incident.get("trace_id"):
        extra.append(f"/operations/traces/{incident['trace_id']}")
    walked: dict[str, dict[str, list[str]]] = {}
    login = Console(browser, walked_platform.url("console"), width=PHONE)
    walked["anonymous"] = _walk(login, "anonymous", ["/login"])
    login.close()
    for role, username in sorted(ROLES.items()):
        console = sign_in(username, PHONE)
        walked[username] = _walk(console, role, ["/", *extra])
        console.close()
    problems = [
        f"{user} {path}: {'; '.join(found)}"
        for user, pages in walked.items()
        for path, found in pages.items()
    ]
    assert not problems, "\n".join(problems)
