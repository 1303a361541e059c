"""The volunteers' pages in a real browser (issue #13): a volunteer on a 375-pixel phone signs up
for a shift, her team's leader checks her in, she checks out with the shift's code, sees the
points arrive in her passbook and redeems an item in the points shop; a coordinator's
mobilisation board follows a volunteer's answer without a reload.

The demo's volunteering (Changshan's teams, points and shop, Taipingjie's in-service member) is
loaded through volunteers' API, as `lianxin demo` does; the demo accounts `cs-volunteer`,
`cs-team-leader` and `tpj-volunteer` speak for the fitter, 张立春 and 周敏.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from playwright.sync_api import expect

from lianxin.demo.accounts import PASSWORD
from tests.browser.conftest import PHONE
from tests.conftest import Platform, eventually
from tests.e2e.data import report_and_escalate

pytestmark = pytest.mark.e2e

SERVICE_DAY = "红马甲便民服务日：磨刀剪、修家电"
LIVE = 30_000  # ms: how long the board may take to show an answer (a bound, not a measurement)


def _run(coroutine) -> None:
    """Run a coroutine to its end on a thread of its own: Playwright's sync API holds this
    thread's event loop open."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def _shift_starting_soon(plat: Platform) -> tuple[str, str]:
    """(activity id, shift id): a shift of the repair team's service day that starts in ten
    minutes, so that sign-up is still open and check-in already is."""
    coordinator = plat.http("volunteers", plat.token("cs-coordinator", PASSWORD))
    [activity] = [
        a
        for a in coordinator.get("/activities", params={"community_code": "changshan"}).json()
        if a["title"] == SERVICE_DAY
    ]
    start = datetime.now(UTC) + timedelta(minutes=10)
    made = coordinator.post(
        f"/activities/{activity['id']}/shifts",
        json={
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "place": "长山花园党群服务中心门前",
            "places": 4,
        },
    )
    assert made.status_code == 201, made.text
    return activity["id"], made.json()["id"]


def _two_hours_ago_checked_in(plat: Platform, shift_id: str) -> None:
    """Time on the shift passes: the check-in moved two hours back (volunteers records it as
    now, and a test does not wait two hours to earn its points)."""

    async def move() -> None:
        conn = await asyncpg.connect(plat.database_url("volunteers"))
        try:
            await conn.execute(
                "UPDATE sign_ups SET checked_in_at = checked_in_at - interval '2 hours'"
                " WHERE shift_id = $1 AND status = 'checked_in'",
                uuid.UUID(shift_id),
            )
        finally:
            await conn.close()

    _run(move())


def _number(page, selector: str) -> int:
    return int(page.locator(selector).first.inner_text().strip())


def test_a_volunteer_signs_up_on_her_phone_is_checked_in_earns_points_and_redeems(
    volunteering_platform: Platform, sign_in
) -> None:
    plat = volunteering_platform
    activity_id, shift_id = _shift_starting_soon(plat)
    shift = f"[data-shift-id='{shift_id}']"

    # The fitter, on his phone: the service day's new shift, signed up for in one tap.
    fitter = sign_in("cs-volunteer", PHONE)
    phone = fitter.page
    phone.goto("/volunteering/activities")
    fitter.shoot("volunteering-activities")
    phone.get_by_role("link", name=SERVICE_DAY).click()
    phone.wait_for_url(f"**/volunteering/activities/{activity_id}")
    phone.locator(f"{shift} button", has_text="报名").click()
    expect(phone.locator(f"{shift} [data-attendance]")).to_have_attribute(
        "data-attendance", "signed_up"
    )
    expect(phone.locator(f"{shift} [data-code]")).to_have_count(0)  # the code is not his
    phone.goto("/volunteering/me")
    expect(phone.locator(f"#shifts {shift}")).to_be_visible()
    spendable = _number(phone, "[data-spendable]")
    lifetime = _number(phone, "[data-lifetime]")

    # His team's leader opens the shift: the roster with his name, and the code to show.
    leader = sign_in("cs-team-leader", PHONE)
    desk = leader.page
    desk.goto(f"/volunteering/activities/{activity_id}")
    row = desk.locator(f"{shift} tr", has_text="耿尚彬")
    expect(row).to_have_count(1)
    code = desk.locator(f"{shift} [data-code]").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    row.get_by_role("button", name="签到").click()
    expect(
        desk.locator(f"{shift} tr", has_text="耿尚彬").locator("[data-attendance]")
    ).to_have_attribute("data-attendance", "checked_in")
    leader.shoot("volunteering-activity")

    # Two hours later he checks himself out with the code the leader shows.
    _two_hours_ago_checked_in(plat, shift_id)
    phone.goto("/volunteering/me")
    phone.fill(f"{shift} input[name=code]", "000000" if code != "000000" else "111111")
    phone.locator(f"{shift} button", has_text="签退").click()
    expect(phone.locator("[data-problem]")).to_be_visible()  # a wrong code is refused
    phone.fill(f"{shift} input[name=code]", code)
    phone.locator(f"{shift} button", has_text="签退").click()
    expect(phone.locator("[data-problem]")).to_have_count(0)

    # The points have arrived: an earning entry, both balances up by it.
    earned = phone.locator("[data-transfer-kind=earn] [data-amount]").first
    expect(earned).to_be_visible()
    amount = int(earned.get_attribute("data-amount") or 0)
    assert amount > 0
    assert _number(phone, "[data-spendable]") == spendable + amount
    assert _number(phone, "[data-lifetime]") == lifetime + amount
    expect(
        phone.locator(f"#shifts [data-shift-id='{shift_id}'] [data-attendance]")
    ).to_have_attribute("data-attendance", "checked_out")
    fitter.shoot("volunteering-me")

    # He redeems a bottle of detergent: the stock and his spendable points go down, his
    # lifetime points stay.
    phone.goto("/volunteering/shop")
    item = phone.locator("[data-item-id]", has_text="洗衣液")
    stock = int(item.locator("[data-stock]").inner_text())
    price = int(item.locator("[data-price]").inner_text())
    before = _number(phone, "[data-spendable]")
    item.get_by_role("button", name="兑换").click()
    phone.wait_for_url("**/volunteering/shop")
    item = phone.locator("[data-item-id]", has_text="洗衣液")
    expect(item.locator("[data-stock]")).to_have_text(str(stock - 1))
    assert _number(phone, "[data-spendable]") == before - price
    fitter.shoot("volunteering-shop")
    phone.goto("/volunteering/me")
    expect(phone.locator("[data-transfer-kind=redeem] [data-amount]").first).to_have_attribute(
        "data-amount", str(-price)
    )
    assert _number(phone, "[data-lifetime]") == lifetime + amount

    # The leaderboard still ranks him first: redeeming never lowers a rank.
    phone.goto("/volunteering/leaderboards")
    expect(phone.locator("table.board tbody tr").first).to_contain_text("耿尚彬")
    expect(phone.locator("table.board tr.mine")).to_have_count(1)
    fitter.shoot("volunteering-leaderboards")

    # The coordinator's counter book has his redemption, and cancels it: the points go back.
    coordinator = sign_in("cs-coordinator")
    counter = coordinator.page
    expect(counter.locator("#volunteering-figures [data-vol=served]")).not_to_have_text("0")
    coordinator.shoot("volunteering-dashboard")
    counter.goto("/volunteering/shop")
    # Newest first: his redemption now, then the demo's of earlier.
    his = counter.locator("table.counter tbody tr", has_text="耿尚彬").filter(has_text="洗衣液")
    expect(his).to_have_count(2)
    mine = his.first
    coordinator.shoot("volunteering-shop-counter")
    mine.locator("input[name=reason]").fill("拿错了, 退回")
    mine.get_by_role("button", name="撤销并退还积分").click()
    expect(
        counter.locator("table.counter tbody tr", has_text="洗衣液").filter(has_text="已退还")
    ).to_have_count(1)
    phone.goto("/volunteering/me")
    assert _number(phone, "[data-spendable]") == before
    # The same page in English, from the header's switch.
    phone.get_by_role("link", name="English").click()
    phone.wait_for_url("**/volunteering/me")
    expect(phone.get_by_role("heading", name="Points passbook")).to_be_visible()
    expect(phone.locator("[data-transfer-kind=refund]").first).to_contain_text("Refund")

    for console in (fitter, leader, coordinator):
        console.close()


def test_the_mobilisation_board_follows_a_volunteers_answer_without_a_reload(
    volunteering_platform: Platform, sign_in
) -> None:
    plat = volunteering_platform
    coordinator = sign_in("tpj-coordinator")
    board = coordinator.page
    board.goto("/volunteering/mobilisations")
    expect(board.locator("[data-no-mobilisations]")).to_be_visible()
    board.evaluate("window.lianxinSameDocument = true")

    # A transformer fails in her micro-grid and is whistled as an emergency: volunteers calls
    # up the grid, 周敏 among them; the open board shows it by itself.
    incident = report_and_escalate(
        plat, http=plat.http("incidents", plat.token("tpj-coordinator", PASSWORD))
    )
    mobilisation = board.locator("[data-mobilisation-id]")
    expect(mobilisation).to_have_count(1, timeout=LIVE)
    # The grid by its name, as people call it, not its code.
    expect(mobilisation.locator("h2")).to_contain_text("第一网格")
    expect(mobilisation.locator("h2")).not_to_contain_text("tpj-g01")
    zhou = board.locator("table.call-ups tr", has_text="周敏")
    expect(zhou.locator("[data-answer]")).to_contain_text("未答复")

    # She answers on her phone.
    volunteer = sign_in("tpj-volunteer", PHONE)
    phone = volunteer.page
    phone.goto("/volunteering/mobilisations")
    expect(phone.locator("[data-my-call]")).to_be_visible()
    phone.get_by_role("button", name="响应").click()
    expect(phone.locator("[data-my-call] button", has_text="到岗")).to_be_visible()

    # The coordinator's board shows it without a reload.
    expect(zhou.locator("[data-answer]")).to_contain_text("已响应", timeout=LIVE)
    expect(board.locator("[data-count=accepted]")).not_to_have_text("0")
    assert board.evaluate("window.lianxinSameDocument === true"), "the board was reloaded"
    assert eventually(
        lambda: (
            plat.http("volunteers").get("/mobilisations").json()[0]["incident_id"] == incident["id"]
        )
    )
    coordinator.shoot("volunteering-mobilisations")
    volunteer.close()
    coordinator.close()
