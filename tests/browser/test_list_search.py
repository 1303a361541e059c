"""Issue #15, search, filters, pages and export on every list, in a real browser at phone width:
on the five lists, the wish board and the volunteers' activities a search
narrows the list, a filter narrows it, page 2 shows the next rows, the export's rows are the
list's rows, a coordinator of another community sees none of them, and at 375 px the filters
stand one a row and no page is wider than the screen; the joint meetings page and export too."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from playwright.sync_api import Page, expect

from lianxin.demo.accounts import PASSWORD
from tests.browser.conftest import PHONE, Console
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

LATER = (datetime.now(UTC) + timedelta(days=120)).isoformat()
MUCH_LATER = (datetime.now(UTC) + timedelta(days=400)).isoformat()
CHINA = timezone(timedelta(hours=8))
TABLE_ROWS = "table.ls-table tbody tr:not(:has(td[colspan]))"
# Each list's page: what one of its rows is, and the export's column that names the row.
LISTS = {
    "/lists/needs": (TABLE_ROWS, "需求"),
    "/lists/resources": (TABLE_ROWS, "资源"),
    "/lists/projects": (TABLE_ROWS, "项目"),
    "/lists/responsibilities": (TABLE_ROWS, "任务"),
    "/lists/feedback": (TABLE_ROWS, "事项"),
    "/wishes": ("article.wish", "心愿"),
    "/volunteering/activities": ("li[data-activity-id]", "活动"),
}


def _as(plat: Platform, service: str, username: str = "tpj-coordinator") -> httpx.Client:
    return plat.http(service, plat.token(username, PASSWORD))


@pytest.fixture
def resources(demo_platform: Platform) -> httpx.Client:
    """Taipingjie's coordinator on the resources service: who makes each list's rows."""
    return _as(demo_platform, "resources")


def _numbered(pattern: str) -> list[str]:
    """22 titles, none inside another: a page of 20 and 2 on the second."""
    return [pattern.format(n) for n in range(22)]


def _made(answer: httpx.Response) -> dict:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _need(title: str, grid: str) -> dict:
    """A Taipingjie need recorded in `grid`."""
    return {
        "community_code": "taipingjie",
        "grid_node_code": grid,
        "category": "public_facilities",
        "title": title,
        "affected": "临街住户",
        "affected_count": 30,
    }


def _fits(page: Page) -> None:
    """Nothing wider than the phone, and the list's filters one a row (a label beside each)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    tops = page.locator("[data-list-filters] :is(input:not([type=hidden]), select)").evaluate_all(
        "fields => fields.map(f => f.getBoundingClientRect().top)"
    )
    assert tops == sorted(tops) and len(set(tops)) == len(tops), tops


def _shown(page: Page, rows: str, titles: Iterable[str]) -> list[str]:
    """The titles the list shows, one a row (each of `titles` is in no other)."""
    texts = page.locator(rows).all_inner_texts()
    found = [[t for t in titles if t in text] for text in texts]
    assert all(len(f) == 1 for f in found), texts
    return [f[0] for f in found]


def _exported(page: Page, column: str) -> list[str]:
    with page.expect_download() as download:
        page.locator("[data-export=csv]").click()
    with open(download.value.path(), encoding="utf-8-sig") as f:
        header, *table = list(csv.reader(io.StringIO(f.read())))
    return [row[header.index(column)] for row in table]


def _search(page: Page, path: str, word: str) -> None:
    page.goto(path)
    page.get_by_label("搜索").fill(word)
    page.get_by_role("button", name="筛选").click()


def _walk(
    console: Console, path: str, word: str, titles: list[str], narrow: tuple[str, str]
) -> None:
    """Search `word` (22 rows: 20, then 2 on page 2), export, then filter by `narrow`, which
    leaves the first two of `titles`."""
    rows, column = LISTS[path]
    narrowed = titles[:2]
    page = console.page
    _search(page, path, word)
    expect(page.locator("[data-total]")).to_have_attribute("data-total", str(len(titles)))
    expect(page.locator(rows)).to_have_count(20)
    _fits(page)
    first = _shown(page, rows, titles)
    assert "提交" not in page.locator("[data-list-filters]").inner_text()
    page.locator("[data-page-link=next]").click()
    expect(page.locator("[data-page]")).to_have_text("第 2 / 2 页")
    expect(page.locator(rows)).to_have_count(len(titles) - 20)
    second = _shown(page, rows, titles)
    assert sorted(first + second) == sorted(titles)  # every row once, on one page or the other
    # The export is what the filtered list shows, every page of it, not only this one.
    assert sorted(_exported(page, column)) == sorted(titles)

    name, value = narrow
    field = page.locator(f"#f-{name}")
    if field.evaluate("f => f.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("[data-total]")).to_have_attribute("data-total", str(len(narrowed)))
    assert sorted(_shown(page, rows, titles)) == sorted(narrowed)
    assert sorted(_exported(page, column)) == sorted(narrowed)
    _fits(page)


def _stranger_sees_none(console: Console, path: str, word: str, titles) -> None:
    rows, column = LISTS[path]
    page = console.page
    _search(page, path, word)
    assert not set(_shown(page, rows, titles))
    assert not set(_exported(page, column)) & set(titles)


def test_the_needs_and_resources_lists_search_filter_page_and_export(
    resources: httpx.Client, sign_in
) -> None:
    needs = _numbered("井盖缺失{:02d}号")
    for n, title in enumerate(needs):
        _made(resources.post("/needs", json=_need(title, "tpj-g02" if n < 2 else "tpj-g01")))
    offers = _numbered("应急抽水泵{:02d}台")
    for n, title in enumerate(offers):
        body = {
            "community_code": "taipingjie",
            "member_unit_code": "tpj-u01",
            "kind": "vehicle" if n < 2 else "goods",
            "title": title,
            "quantity": 1,
            "unit": "台",
            "available_from": datetime.now(UTC).isoformat(),
        }
        _made(resources.post("/offers", json=body))

    console = sign_in("tpj-coordinator", PHONE)
    _walk(console, "/lists/needs", "井盖缺失", needs, ("grid", "tpj-g02"))
    _walk(console, "/lists/resources", "抽水泵", offers, ("kind", "vehicle"))
    console.close()

    stranger = sign_in("yxl-coordinator", PHONE)
    _stranger_sees_none(stranger, "/lists/needs", "井盖缺失", needs)
    _stranger_sees_none(stranger, "/lists/resources", "抽水泵", offers)
    answer = stranger.page.goto("/lists/needs?community=taipingjie")
    assert answer is not None and answer.status == 404
    stranger.close()


def test_the_projects_and_responsibilities_lists_search_filter_page_and_export(
    resources: httpx.Client, sign_in
) -> None:
    projects = _numbered("楼道微更新{:02d}期")
    made = []
    for title in projects:
        body = {"community_code": "taipingjie", "title": title, "due_at": MUCH_LATER, "slots": 2}
        made.append(_made(resources.post("/projects", json=body)))
    for project in made[:2]:  # claimed: under way, on track
        _made(
            resources.post(
                f"/projects/{project['id']}/claims", json={"member_unit_code": "tpj-u01"}
            )
        )
    tasks = _numbered("清点楼道杂物{:02d}处")
    for n, task in enumerate(tasks):
        body = {"holder_code": "tpj-u01", "task": task, "due_at": LATER if n < 2 else MUCH_LATER}
        _made(resources.post(f"/projects/{made[0]['id']}/responsibilities", json=body))

    console = sign_in("tpj-coordinator", PHONE)
    _walk(console, "/lists/projects", "楼道微更新", projects, ("state", "on_track"))
    # The two due soonest, up to their day in China.
    due = (datetime.fromisoformat(LATER) + timedelta(hours=8)).date().isoformat()
    _walk(console, "/lists/responsibilities", "清点楼道杂物", tasks, ("to", due))
    console.close()

    stranger = sign_in("yxl-coordinator", PHONE)
    _stranger_sees_none(stranger, "/lists/projects", "楼道微更新", projects)
    _stranger_sees_none(stranger, "/lists/responsibilities", "清点楼道杂物", tasks)
    stranger.close()


def _closed_meeting(resources: httpx.Client, subjects: list[str]) -> dict:
    """A Taipingjie joint meeting that made a project of each need but the first two, declined
    those two, and closed: its decisions are the feedback list."""
    now = datetime.now(UTC)
    needs = [_made(resources.post("/needs", json=_need(title, "tpj-g01"))) for title in subjects]
    body = {
        "community_code": "taipingjie",
        "chair_unit_code": "tpj-u01",
        "scheduled_at": (now + timedelta(hours=1)).isoformat(),
    }
    meeting = _made(resources.post("/meetings", json=body))
    path = f"/meetings/{meeting['id']}"
    _made(resources.post(f"{path}/agenda"))
    _made(resources.put(f"{path}/attendance", json={"units_present": ["tpj-u01"]}))
    for need in needs[:2]:
        body = {"need_id": need["id"], "reason": "不在职责内"}
        _made(resources.post(f"{path}/decisions/declines", json=body))
    for need in needs[2:]:
        body = {"title": need["title"], "need_ids": [need["id"]], "due_at": LATER}
        _made(resources.post(f"{path}/decisions/projects", json=body))
    _made(resources.put(f"{path}/minutes", json={"minutes": "纪要"}))
    return _made(resources.post(f"{path}/close"))


def test_the_feedback_list_searches_filters_pages_and_exports(
    resources: httpx.Client, sign_in
) -> None:
    subjects = _numbered("外墙修缮{:02d}号楼")
    meeting = _closed_meeting(resources, subjects)

    console = sign_in("tpj-coordinator", PHONE)
    _walk(console, "/lists/feedback", "外墙修缮", subjects, ("decision", "need_declined"))
    console.close()

    stranger = sign_in("yxl-coordinator", PHONE)
    _stranger_sees_none(stranger, "/lists/feedback", "外墙修缮", subjects)
    answer = stranger.page.goto("/lists/feedback?community=taipingjie")
    assert answer is not None and answer.status == 404
    stranger.page.goto("/meetings")
    assert meeting["id"] not in stranger.page.locator("main").inner_html()
    stranger.close()


def test_the_joint_meetings_filter_page_and_export(resources: httpx.Client, sign_in) -> None:
    start = datetime.now(CHINA).replace(hour=10, minute=0, second=0, microsecond=0)
    days = [start + timedelta(days=n + 1) for n in range(22)]
    for day in days:
        body = {"community_code": "taipingjie", "chair_unit_code": "tpj-u01"}
        _made(resources.post("/meetings", json={**body, "scheduled_at": day.isoformat()}))
    meetings = _made(resources.get("/meetings", params={"community_code": "taipingjie"}))
    ids = [m["id"] for m in meetings]  # newest first, as the page lists them

    console = sign_in("tpj-coordinator", PHONE)
    page = console.page
    page.goto("/meetings")
    rows = page.locator("table[data-list=meetings] tbody tr[data-meeting-id]")
    shown = "rows => rows.map(r => r.dataset.meetingId)"
    expect(page.locator("[data-total]")).to_have_attribute("data-total", str(len(ids)))
    expect(rows).to_have_count(20)
    assert rows.evaluate_all(shown) == ids[:20]
    page.locator("[data-page-link=next]").click()
    expect(rows).to_have_count(len(ids) - 20)
    assert rows.evaluate_all(shown) == ids[20:]
    assert len(_exported(page, "会议时间")) == len(ids)
    page.goto("/meetings")
    page.locator("#f-from").fill(days[-2].date().isoformat())
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("[data-total]")).to_have_attribute("data-total", "2")
    assert rows.evaluate_all(shown) == ids[:2]
    assert len(_exported(page, "会议时间")) == 2
    _fits(page)
    console.close()

    stranger = sign_in("yxl-coordinator", PHONE)
    stranger.page.goto("/meetings")
    html = stranger.page.locator("main").inner_html()
    assert not any(i in html for i in ids)
    stranger.close()


def test_the_wish_board_and_the_activities_search_filter_page_and_export(
    demo_platform: Platform, resources: httpx.Client, sign_in
) -> None:
    wishes = _numbered("助行器{:02d}副")
    for n, title in enumerate(wishes):
        body = {
            "community_code": "taipingjie",
            "grid_node_code": "tpj-g02" if n < 2 else "tpj-g01",
            "title": title,
            "resident_name": "王阿姨",
            "resident_contact": "13900000000",
        }
        wish = _made(resources.post("/wishes", json=body))
        _made(resources.post(f"/wishes/{wish['id']}/publish"))
    volunteers = _as(demo_platform, "volunteers", "cs-coordinator")
    activities = _numbered("夜间巡逻{:02d}班")
    for n, title in enumerate(activities):
        body = {
            "community_code": "changshan",
            "node_code": "csh-g02",
            "kind": "cleaning" if n < 2 else "patrol",
            "title": title,
        }
        _made(volunteers.post("/activities", json=body))

    console = sign_in("tpj-coordinator", PHONE)
    _walk(console, "/wishes", "助行器", wishes, ("grid", "tpj-g02"))
    console.close()
    console = sign_in("cs-coordinator", PHONE)
    _walk(console, "/volunteering/activities", "夜间巡逻", activities, ("kind", "cleaning"))
    console.close()

    stranger = sign_in("yxl-coordinator", PHONE)
    _stranger_sees_none(stranger, "/wishes", "助行器", wishes)
    stranger.close()
    stranger = sign_in("tpj-coordinator", PHONE)
    _stranger_sees_none(stranger, "/volunteering/activities", "夜间巡逻", activities)
    stranger.page.goto("/volunteering/activities?community=changshan&q=%E5%A4%9C%E9%97%B4")
    assert not _shown(stranger.page, "li[data-activity-id]", activities)
    stranger.close()
