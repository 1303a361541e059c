"""A joint meeting's pages follow resources' events: Yongxinglu's coordinator has the meetings
list open and a meeting scheduled through resources' API appears in it with the count above it
grown, without a reload; then, while the power supply department invited reads that meeting's
page (read-only), the coordinator records who came in her own browser and the department's page
shows them without a reload. A step recorded on another meeting meanwhile is not passed to the
department's page: it fetches itself again only for its own meeting. Minutes written while the
coordinator reads a refusal (closing without them) reach her page too, the refusal kept; when
the meeting is closed elsewhere, her page is read again without its forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_list_search import _as, _made
from tests.browser.test_live_lists import COUNT_REFRESHES, LIVE, _open_live
from tests.conftest import Platform

pytestmark = pytest.mark.e2e


def _meeting(days: int) -> dict:
    """Yongxinglu's joint meeting `days` from today, this term's chair, two departments invited."""
    scheduled = f"{(datetime.now(UTC) + timedelta(days=days)).date()}T09:00:00+08:00"
    return {
        "community_code": "yongxinglu",
        "chair_unit_code": "yxl-u01",
        "scheduled_at": scheduled,
        "invited_department_codes": ["housing", "power_supply"],
    }


def test_a_meeting_scheduled_and_its_attendance_reach_the_open_pages(
    demo_platform: Platform, sign_in
) -> None:
    secretary = sign_in("yxl-coordinator")
    desk = secretary.page
    _open_live(desk, "/meetings", "#meetings-live[data-live-resources=meetings]")
    before = int(desk.locator("[data-total]").get_attribute("data-total") or "0")

    resources = _as(demo_platform, "resources", "yxl-coordinator")
    meeting = _made(resources.post("/meetings", json=_meeting(days=3)))
    expect(desk.locator("[data-total]")).to_have_attribute(
        "data-total", str(before + 1), timeout=LIVE
    )
    expect(desk.locator(f"tr[data-meeting-id='{meeting['id']}']")).to_be_visible()
    assert desk.evaluate("window.lianxinSameDocument === true"), "the list was reloaded"
    other = _made(resources.post("/meetings", json=_meeting(days=4)))

    # The department invited reads the meeting: nobody came yet, and no form.
    department = sign_in("power-operator")
    reader = department.page
    live = f"#meeting-attendance[data-live-resources='meeting:{meeting['id']}']"
    _open_live(reader, f"/meetings/{meeting['id']}", live)
    expect(reader.locator("[data-read-only]")).to_be_visible()
    expect(reader.locator("main form")).to_have_count(0)
    expect(reader.locator("[data-attendance] li:not(.muted)")).to_have_count(0)
    reader.evaluate(COUNT_REFRESHES)

    # Another meeting's minutes: not this page's business.
    _made(resources.put(f"/meetings/{other['id']}/minutes", json={"minutes": "另一次会议"}))

    # The coordinator records who came, in her own browser.
    desk.goto(f"/meetings/{meeting['id']}")
    desk.locator("[data-form=attendance]").locator("xpath=..").locator("summary").click()
    for unit in ("yxl-u01", "yxl-u02", "yxl-g02"):
        desk.locator(f"[name=units_present][value={unit}]").check()
    desk.locator("[name=departments_present][value=power_supply]").check()
    desk.locator("[data-form=attendance] button").click()
    expect(desk.locator("[data-attendance] li")).to_have_count(4)

    # The department's page shows them, three units and itself, without a reload.
    expect(reader.locator("[data-attendance] li:not(.muted)")).to_have_count(4, timeout=LIVE)
    expect(reader.locator("[data-attendance] li.dept")).to_have_count(1)
    assert reader.evaluate("window.lianxinSameDocument === true"), "the meeting was reloaded"
    assert reader.evaluate("window.lianxinRefreshes") == 1  # its meeting's step, not the other's
    expect(reader.locator("main form")).to_have_count(0)

    # Closing without minutes is refused: the coordinator's page is now the form's answer (at its
    # address). Minutes written meanwhile (another hand, through the API) reach it all the same,
    # and the refusal beside the minutes' field stays.
    desk.get_by_role("button", name="结束会议").click()
    expect(desk.locator("#minutes-error")).to_be_visible()
    assert "/record/close" in desk.url
    desk.evaluate("window.lianxinSameDocument = true")
    written = {"minutes": "议定会后由供电公司检修路灯。"}
    _made(resources.put(f"/meetings/{meeting['id']}/minutes", json=written))
    expect(desk.locator("#meeting-minutes")).to_contain_text("检修路灯", timeout=LIVE)
    expect(reader.locator("#meeting-minutes")).to_contain_text("检修路灯", timeout=LIVE)
    expect(desk.locator("#minutes-error")).to_be_visible()
    assert desk.evaluate("window.lianxinSameDocument === true"), "the answer was reloaded"

    # Another coordinator closes it (through the API): the forms leave the coordinator's page,
    # which is read again whole, and the department's page shows it closed.
    _made(resources.post(f"/meetings/{meeting['id']}/close"))
    expect(desk.locator("[data-meeting]")).to_have_attribute("data-status", "closed", timeout=LIVE)
    expect(desk.locator("main form")).to_have_count(0)
    expect(reader.locator("#meeting-state")).to_contain_text("已结束", timeout=LIVE)

    department.close()
    secretary.close()
