"""The resources pages follow resources' events: a coordinator has the needs list open, her grid
leader records a need through resources' API, and the list shows it without a reload; a
coordinator of another community, her own needs list open, is not told of it (her page fetches
itself again only for her own community's need). A member unit's liaison, who may read the wish
board but not a wish's own page, sees a wish the grid publishes appear on her phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_list_search import _as, _made, _need
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

LIVE = 30_000  # ms: how long the list may take to show a need (a bound, not a measurement)
# Counts the times the page fetches itself again (console.js's live refresh of its lists).
COUNT_REFRESHES = """() => {
  window.lianxinRefreshes = 0;
  const plain = window.fetch;
  window.fetch = function (resource, options) {
    if (String(resource) === window.location.href) window.lianxinRefreshes += 1;
    return plain.call(this, resource, options);
  };
}"""


def _open_live(page: Page, path: str, part: str = "#list-live[data-live-resources=needs]") -> None:
    page.goto(path)
    expect(page.locator(part)).to_be_visible()
    expect(page.locator("body.live")).to_have_count(1)  # the event stream is open
    page.evaluate("window.lianxinSameDocument = true")


def test_an_open_needs_list_shows_a_need_recorded_by_someone_else_without_a_reload(
    demo_platform: Platform, sign_in
) -> None:
    coordinator = sign_in("tpj-coordinator")
    desk = coordinator.page
    _open_live(desk, "/lists/needs")
    before = int(desk.locator("[data-total]").get_attribute("data-total") or "0")
    stranger = sign_in("yxl-coordinator")
    theirs = stranger.page
    _open_live(theirs, "/lists/needs")
    theirs.evaluate(COUNT_REFRESHES)

    # Taipingjie's first grid leader records a need through resources' API.
    leader = _as(demo_platform, "resources", "tpj-g01-leader")
    need = _made(leader.post("/needs", json=_need("路灯不亮（实时）", "tpj-g01")))

    row = desk.locator(f"tr[data-need-id='{need['id']}']")
    expect(row).to_contain_text("路灯不亮（实时）", timeout=LIVE)
    expect(desk.locator("[data-total]")).to_have_attribute("data-total", str(before + 1))
    assert desk.evaluate("window.lianxinSameDocument === true"), "the list was reloaded"

    # Yongxinglu's coordinator records one of hers: her list shows it, and it is the only
    # event her page was told of (Taipingjie's need, first, did not reach it).
    own = _made(
        _as(demo_platform, "resources", "yxl-coordinator").post(
            "/needs", json={**_need("水管漏水（实时）", "yxl-g01"), "community_code": "yongxinglu"}
        )
    )
    expect(theirs.locator(f"tr[data-need-id='{own['id']}']")).to_be_visible(timeout=LIVE)
    assert theirs.evaluate("window.lianxinRefreshes") == 1
    expect(theirs.locator("table.ls-table")).not_to_contain_text("路灯不亮")
    assert theirs.evaluate("window.lianxinSameDocument === true"), "the list was reloaded"

    stranger.close()
    coordinator.close()


def test_a_liaisons_open_wish_board_shows_a_wish_the_grid_publishes(
    demo_platform: Platform, sign_in
) -> None:
    liaison = sign_in("tpj-liaison", PHONE)
    board = liaison.page
    _open_live(board, "/wishes", "#wish-board[data-live-resources=wishes]")

    grid = _as(demo_platform, "resources", "tpj-g01-leader")
    wish = {
        "community_code": "taipingjie",
        "grid_node_code": "tpj-g01-m01",
        "title": "一副老花镜（实时）",
        "resident_name": "王大爷",
        "resident_contact": "13900002222",
    }
    made = _made(grid.post("/wishes", json=wish))
    _made(grid.post(f"/wishes/{made['id']}/publish"))

    card = board.locator(f"[data-list=waiting] article[data-wish-id='{made['id']}']")
    expect(card).to_contain_text("一副老花镜（实时）", timeout=LIVE)
    expect(card).to_have_attribute("data-wish-status", "published")
    expect(card.locator("form[data-action=claim]")).to_be_visible()
    assert board.evaluate("window.lianxinSameDocument === true"), "the board was reloaded"
    liaison.close()
