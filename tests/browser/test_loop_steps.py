"""The missing steps of the loop (issue #15), walked in the console as their users would: a
coordinator on a phone reassigns (改派), withdraws (撤回) and urges (催办) one department's part;
a department asks for more time (申请延期) and the coordinator grants it; the resident rates the
result through their own link (回访), once, and not after it expired."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from playwright.sync_api import expect

from lianxin import http_clients
from lianxin.demo.accounts import PASSWORD
from lianxin.messaging.connection import connect
from tests.browser.conftest import PHONE, Console, report_incident
from tests.conftest import Platform, eventually

pytestmark = pytest.mark.e2e
CHINA = timedelta(hours=8)


def _incidents(plat: Platform, username: str) -> httpx.Client:
    return plat.http("incidents", plat.token(username, PASSWORD))


def _run(coroutine):
    """Run a coroutine to its end beside Playwright, which holds this thread's event loop."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _whistled(plat: Platform, *departments: str) -> dict:
    """An incident of grid tpj-g01 whistled to `departments` (the first leads), by the API."""
    incident_id = report_incident(plat)
    with _incidents(plat, "tpj-coordinator") as incidents:
        escalated = incidents.post(
            f"/incidents/{incident_id}/escalation",
            json={"department_codes": list(departments), "lead_department_code": departments[0]},
        )
    assert escalated.status_code == 200, escalated.text
    return escalated.json()


def _part(incident: dict, code: str) -> str:
    return next(a["id"] for a in incident["assignments"] if a["department_code"] == code)


def _status(page) -> object:
    return page.locator("#incident .state [data-status]")


def test_withdrawing_the_idle_co_handler_closes_the_stuck_incident(
    demo_platform: Platform, sign_in
) -> None:
    """Defect 2: the lead finished, the co-handler nobody acts for kept it 已吹哨."""
    incident = _whistled(demo_platform, "power_supply", "property")
    with _incidents(demo_platform, "power-operator") as power:
        done = power.post(
            f"/assignments/{_part(incident, 'power_supply')}/resolution",
            json={"result": "更换灯具线路"},
        )
    assert done.status_code == 200 and done.json()["status"] == "escalated"

    coordinator = sign_in("tpj-coordinator", PHONE)
    page = coordinator.page
    page.goto(f"/incidents/{incident['id']}")
    expect(_status(page)).to_have_attribute("data-status", "escalated")
    box = page.locator('[data-assignment="property"]')
    box.locator("summary", has_text="撤回").click()
    box.locator("form[data-action=withdrawal] input[name=reason]").fill(
        "物业无人响应, 已由供电处理"
    )
    box.locator("form[data-action=withdrawal] button[type=submit]").click()

    expect(_status(page)).to_have_attribute("data-status", "resolved")
    expect(box).to_have_attribute("data-assignment-status", "withdrawn")
    expect(page.locator('.timeline li[data-action="withdrawn"]')).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    coordinator.close()


def test_a_coordinator_reassigns_a_part_to_another_department(
    demo_platform: Platform, sign_in
) -> None:
    incident = _whistled(demo_platform, "property")
    coordinator = sign_in("tpj-coordinator", PHONE)
    page = coordinator.page
    page.goto(f"/incidents/{incident['id']}")
    box = page.locator('[data-assignment="property"]')
    box.locator("summary", has_text="改派").click()
    form = box.locator("form[data-action=reassignment]")
    form.locator("select[name=department_code]").select_option("power_supply")
    form.locator("input[name=reason]").fill("属供电线路问题")
    form.locator("button[type=submit]").click()

    expect(box).to_have_attribute("data-assignment-status", "reassigned")
    expect(page.locator('[data-assignment="power_supply"]')).to_have_attribute(
        "data-assignment-status", "dispatched"
    )
    expect(page.locator('.timeline li[data-action="reassigned"]')).to_have_count(1)
    coordinator.close()


def _last_on(plat: Platform, subject: str) -> dict:
    """The last message JetStream holds on `subject`, as the department would pull it."""

    async def last():
        nc = await connect(plat.nats_url, "lianxin-test")
        try:
            found = await nc.jetstream().get_last_msg("DISPATCH", subject)
            return json.loads(found.data)
        finally:
            await nc.close()

    return _run(last())


def test_an_urge_reaches_the_department_on_its_channel(demo_platform: Platform, sign_in) -> None:
    incident = _whistled(demo_platform, "power_supply")
    part = _part(incident, "power_supply")
    coordinator = sign_in("tpj-coordinator", PHONE)
    page = coordinator.page
    page.goto(f"/incidents/{incident['id']}")
    form = page.locator('[data-assignment="power_supply"] form[data-action=urging]')
    form.locator("input[name=note]").fill("居民再次来电, 请尽快到场")
    form.locator("button[type=submit]").click()
    expect(page.locator('.timeline li[data-action="urged"]')).to_have_count(1)

    urged = eventually(
        lambda: (
            (m := _last_on(demo_platform, "dispatch.power_supply.assignment_urged"))["data"][
                "assignment_id"
            ]
            == part
            and m
        )
    )
    assert urged["type"] == "cn.lianxin.incidents.assignment.urged.v1"
    assert urged["data"]["note"] == "居民再次来电, 请尽快到场"
    coordinator.close()


def test_more_time_asked_for_and_granted_moves_the_deadline(
    demo_platform: Platform, sign_in
) -> None:
    incident = _whistled(demo_platform, "power_supply")
    part = _part(incident, "power_supply")
    with _incidents(demo_platform, "power-operator") as power:
        assert power.post(f"/assignments/{part}/acknowledgement", json={}).status_code == 200
    wanted = (datetime.now(UTC) + CHINA + timedelta(days=10)).replace(second=0, microsecond=0)

    operator = sign_in("power-operator", PHONE)
    page = operator.page
    page.goto(f"/incidents/{incident['id']}")
    page.locator("summary", has_text="申请延期").click()
    form = page.locator("form[data-action=extension-request]")
    form.locator("input[name=resolve_by]").fill(wanted.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=reason]").fill("需更换整段线路, 等待配件")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-extension-pending]")).to_have_count(1)
    operator.close()

    coordinator = sign_in("tpj-coordinator", PHONE)
    page = coordinator.page
    page.goto(f"/incidents/{incident['id']}")
    decision = page.locator("form[data-action=extension-decision]")
    expect(decision).to_contain_text("需更换整段线路")
    coordinator.shoot("incident-extension")
    decision.get_by_role("button", name="同意", exact=True).click()
    expect(page.locator('[data-assignment="power_supply"] [data-extensions="1"]')).to_have_count(1)
    expect(page.locator('.timeline li[data-action="extension_granted"]')).to_have_count(1)
    coordinator.close()

    with _incidents(demo_platform, "tpj-coordinator") as incidents:
        [moved] = incidents.get(f"/incidents/{incident['id']}").json()["assignments"]
    assert datetime.fromisoformat(moved["resolve_by"]) == (wanted - CHINA).replace(tzinfo=UTC)
    assert moved["extensions_granted"] == 1


def _resolved_locally(plat: Platform) -> str:
    incident_id = report_incident(plat, reporter_contact="13812345678", contact_consent=True)
    with _incidents(plat, "tpj-g01-leader") as leader:
        done = leader.post(
            f"/incidents/{incident_id}/local-resolution", json={"result": "物业已修好门禁"}
        )
    assert done.status_code == 200, done.text
    return incident_id


def test_the_resident_rates_once_through_the_link(
    demo_platform: Platform, browser, sign_in
) -> None:
    incident_id = _resolved_locally(demo_platform)
    coordinator = sign_in("tpj-coordinator", PHONE)
    page = coordinator.page
    page.goto(f"/incidents/{incident_id}")
    link = page.locator("input[data-rating-url]").input_value()
    assert "/rate/" in link
    sms = page.locator("a[data-sms]").get_attribute("href")
    assert sms.startswith("sms:13812345678?body=")
    coordinator.close()

    resident = Console(browser, demo_platform.url("console"), width=PHONE)  # no sign-in
    page = resident.page
    page.goto(link)
    expect(page.locator("[data-rate]")).to_contain_text("物业已修好门禁")
    expect(page.locator("input[name=rating]")).to_have_count(3)
    expect(page.locator("input[name=rating]:checked")).to_have_count(0)
    resident.shoot("rating-link")
    page.locator("input[name=rating][value=satisfied]").check()
    page.locator("textarea[name=comment]").fill("修得很快")
    page.locator("form[data-action=rate] button[type=submit]").click()
    expect(page.locator("[data-outcome=thanks]")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE

    # Used once: the page says so and no form is offered; a second post is refused too.
    page.goto(link)
    expect(page.locator("[data-outcome=used]")).to_have_count(1)
    expect(page.locator("form[data-action=rate]")).to_have_count(0)
    again = http_clients.post(link, data={"rating": "unsatisfied", "comment": "再评一次"})
    assert again.status_code == 409 and "已使用" in again.text
    resident.close()

    with _incidents(demo_platform, "tpj-coordinator") as incidents:
        closed = incidents.get(f"/incidents/{incident_id}").json()
    assert closed["status"] == "closed"
    assert [(f["rating"], f["actor"]) for f in closed["feedback"]] == [("satisfied", "resident")]


def test_an_expired_link_is_refused(demo_platform: Platform, browser) -> None:
    incident_id = _resolved_locally(demo_platform)

    async def resolved_fifteen_days_ago():
        conn = await asyncpg.connect(demo_platform.database_url("incidents"))
        try:
            await conn.execute(
                "UPDATE incidents SET resolved_at = now() - interval '15 days' WHERE id = $1",
                incident_id,
            )
        finally:
            await conn.close()

    _run(resolved_fifteen_days_ago())
    with _incidents(demo_platform, "tpj-coordinator") as incidents:
        token = incidents.get(f"/incidents/{incident_id}/rating-link").json()["token"]
    link = f"{demo_platform.url('console')}/rate/{token}"

    resident = Console(browser, demo_platform.url("console"), width=PHONE)
    page = resident.page
    page.goto(link)
    expect(page.locator("[data-outcome=expired]")).to_have_count(1)
    expect(page.locator("form[data-action=rate]")).to_have_count(0)
    refused = http_clients.post(link, data={"rating": "satisfied"})
    assert refused.status_code == 409
    resident.close()
    with _incidents(demo_platform, "tpj-coordinator") as incidents:
        assert incidents.get(f"/incidents/{incident_id}").json()["status"] == "resolved"


def test_the_api_answers_a_step_it_cannot_take_as_a_problem(demo_platform: Platform) -> None:
    incident = _whistled(demo_platform, "power_supply", "property")
    power, prop = _part(incident, "power_supply"), _part(incident, "property")
    url = f"/incidents/{incident['id']}/assignments"
    with _incidents(demo_platform, "tpj-coordinator") as coordinator:
        unknown = coordinator.post(f"{url}/{prop}/reassignment", json={"department_code": "nobody"})
        no_reason = coordinator.post(f"{url}/{prop}/withdrawal", json={"reason": ""})
        nothing_asked = coordinator.post(f"{url}/{prop}/extension-decision", json={"granted": True})
        not_resolved = coordinator.get(f"/incidents/{incident['id']}/rating-link")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "department_code"
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert nothing_asked.status_code == 409
    assert not_resolved.status_code == 409
    for answer in (unknown, no_reason, nothing_asked, not_resolved):
        assert answer.headers["content-type"].startswith("application/problem+json")
    with _incidents(demo_platform, "power-operator") as operator:
        # Another department's part does not exist for it; its own needs a later deadline.
        later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        others = operator.post(
            f"/assignments/{prop}/extension-request", json={"reason": "x", "resolve_by": later}
        )
        unsigned = operator.post(
            f"/assignments/{power}/extension-request", json={"reason": "x", "resolve_by": later}
        )
        naive = operator.post(
            f"/assignments/{power}/extension-request",
            json={"reason": "x", "resolve_by": "2030-01-01T08:00"},
        )
    assert others.status_code == 404
    assert unsigned.status_code == 409  # not signed for yet
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "resolve_by"
    with demo_platform.http("incidents") as anyone:
        assert anyone.get("/rating-links/not-a-token-of-ours-at-all").status_code == 404
