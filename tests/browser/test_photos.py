"""Issue #15: a report with a photo and its building and unit, on a 375-pixel phone: the
thumbnail on the incident page opens the photo; a file that is no photo, or one too big, is
refused in Chinese beside the field, and what was typed stays."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from lianxin.demo.accounts import PASSWORD
from tests.browser.conftest import PHONE
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

MB = 1024 * 1024


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), "teal").save(out, "JPEG")
    return out.getvalue()


def _buildings(demo_platform: Platform) -> list[str]:
    leader = demo_platform.token("tpj-g01-leader", PASSWORD)
    with demo_platform.http("incidents", leader) as incidents:
        [node] = [n for n in incidents.get("/grid-nodes").json() if n["code"] == "tpj-g01-m01"]
        return node["addresses"]


def _incident_count(demo_platform: Platform) -> int:
    with demo_platform.http("incidents") as incidents:
        return len(incidents.get("/incidents").json())


def _fill(page, description: str, building: str) -> None:
    page.goto("/inbox")
    page.select_option("#micro_grid_code", "tpj-g01-m01")
    page.fill("#description", description)
    page.select_option("#building", building)
    page.fill("#unit", "2单元")


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_a_report_with_a_photo_and_its_building_shows_the_thumbnail_that_opens_it(
    demo_platform: Platform, sign_in
) -> None:
    building = _buildings(demo_platform)[1]
    leader = sign_in("tpj-g01-leader", PHONE)
    page = leader.page
    _fill(page, "楼道里堆满纸箱, 堵住了消防通道", building)
    # Only the chosen micro-grid's buildings are offered.
    expect(page.locator('#building optgroup[data-micro-grid="tpj-g01-m02"]')).to_be_hidden()
    expect(page.locator("#photo")).to_have_attribute("accept", "image/*")
    _fits(page)
    page.set_input_files(
        "#photo", files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.locator("form[action='/inbox/incidents'] button[type=submit]").click()

    page.wait_for_url("**/incidents/*")
    expect(page.locator("[data-place]")).to_have_text(f"{building} 2单元")
    thumbnail = page.locator("[data-photos] .thumbnails img")
    expect(thumbnail).to_have_count(1)
    expect(page.locator("[data-photo-error]")).to_have_count(0)
    # Loaded, and the thumbnail's size. (Polled by Playwright's own script: a polled string
    # would be evaluated in the page, which its Content-Security-Policy forbids.)
    expect(thumbnail).to_have_js_property("naturalWidth", 320)
    _fits(page)
    leader.shoot("incident-photos")

    with page.context.expect_page() as opened:
        thumbnail.click()
    photo = opened.value
    photo.wait_for_load_state()
    assert photo.evaluate("document.images[0].naturalWidth") == 1200
    answer = page.request.get(page.locator("[data-photos] .thumbnails a").get_attribute("href"))
    assert answer.headers["content-type"] == "image/jpeg"
    assert "no-store" in answer.headers["cache-control"]
    photo.close()
    leader.close()


def test_a_file_that_is_no_photo_or_too_big_is_refused_in_chinese_and_the_report_stays(
    demo_platform: Platform, sign_in
) -> None:
    building = _buildings(demo_platform)[0]
    before = _incident_count(demo_platform)
    leader = sign_in("tpj-g01-leader", PHONE)
    page = leader.page
    typed = "电梯按钮失灵, 老人下不了楼"

    # A PDF named like a photo: refused by its bytes, on the server, nothing reported.
    _fill(page, typed, building)
    page.set_input_files(
        "#photo",
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7\n" * 50}],
    )
    page.locator("form[action='/inbox/incidents'] button[type=submit]").click()
    expect(page.locator("#photo-error")).to_have_text("请选择照片 (JPEG、PNG、WebP 或 HEIC)")
    expect(page.locator("#description")).to_have_value(typed)
    expect(page.locator("#building")).to_have_value(building)
    expect(page.locator("#unit")).to_have_value("2单元")
    assert _incident_count(demo_platform) == before
    _fits(page)

    # Too big: refused on the phone before it is sent, the choice cleared, the text kept.
    page.set_input_files(
        "#photo",
        files=[
            {
                "name": "big.jpg",
                "mimeType": "image/jpeg",
                "buffer": b"\xff\xd8\xff" + b"\0" * (9 * MB),
            }
        ],
    )
    expect(page.locator("#photo-error")).to_have_text("照片不能超过 8 MB")
    expect(page.locator("#photo")).to_have_value("")
    expect(page.locator("#description")).to_have_value(typed)
    assert _incident_count(demo_platform) == before
    leader.close()
