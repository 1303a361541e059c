"""Defects of issue #15 found on the incident page, each walked as its users found it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianxin.demo.accounts import PASSWORD
from tests.browser.conftest import PHONE, report_incident
from tests.conftest import Platform

pytestmark = pytest.mark.e2e


def test_escalating_to_no_department_shows_the_form_again_with_the_problem(
    demo_platform: Platform, sign_in
) -> None:
    """Defect 1: every department unticked, 吹哨 answered a bare Internal Server Error."""
    incident_id = report_incident(demo_platform)
    coordinator = sign_in("tpj-coordinator", PHONE)
    page = coordinator.page
    page.goto(f"/incidents/{incident_id}")
    form = page.locator("form[data-action=escalation]")
    ticked = form.locator("input[name=department_codes]:checked")
    expect(ticked).not_to_have_count(0)  # the routing rule's suggestion
    for box in form.locator("input[name=department_codes]").all():
        box.uncheck()
    expect(ticked).to_have_count(0)
    page.select_option("#lead_department_code", "")
    form.locator("button[type=submit]").click()

    error = page.locator("#department_codes-error")
    expect(error).to_have_text("请至少选择一个职能部门")
    expect(form.locator("fieldset")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("input[name=department_codes]")).not_to_have_count(0)
    expect(page.locator("#incident .state [data-status]")).to_have_attribute(
        "data-status", "reported"
    )
    coordinator.close()


def test_the_residents_rating_is_a_deliberate_choice(demo_platform: Platform, sign_in) -> None:
    """Defect 3: 满意 was pre-selected, so one tap closed the incident as satisfied."""
    incident_id = report_incident(demo_platform)
    leader = demo_platform.token("tpj-g01-leader", PASSWORD)
    with demo_platform.http("incidents", leader) as incidents:
        done = incidents.post(
            f"/incidents/{incident_id}/local-resolution", json={"result": "换了灯泡"}
        )
        assert done.status_code == 200, done.text
        # Who settled it may not check nor rate their own work: someone else verifies.
        own = incidents.post(f"/incidents/{incident_id}/verification", json={})
        assert own.status_code == 409, own.text
    coordinator_token = demo_platform.token("tpj-coordinator", PASSWORD)
    with demo_platform.http("incidents", coordinator_token) as incidents:
        done = incidents.post(f"/incidents/{incident_id}/verification", json={})
        assert done.status_code == 200, done.text
        # The API refuses a feedback without a rating, naming the field.
        refused = incidents.post(f"/incidents/{incident_id}/feedback", json={"comment": "好"})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["rating"]

    coordinator = sign_in("tpj-coordinator", PHONE)
    page = coordinator.page
    page.goto(f"/incidents/{incident_id}")
    form = page.locator("form[data-action=feedback]")
    ratings = form.locator("input[name=rating]")
    expect(ratings).to_have_count(3)
    expect(form.locator("input[name=rating]:checked")).to_have_count(0)
    form.locator("button[type=submit]").click()  # the browser asks for a choice first
    assert form.locator("input[name=rating]").first.evaluate("e => !e.validity.valid")
    expect(page.locator("#incident .state [data-status]")).to_have_attribute(
        "data-status", "verified"
    )
    form.locator("input[name=rating][value=basically_satisfied]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#incident .state [data-status]")).to_have_attribute(
        "data-status", "closed"
    )
    coordinator.close()


def test_a_consented_phone_number_reaches_those_who_call_the_resident_back(
    demo_platform: Platform, sign_in
) -> None:
    """Defect 6: the number entered with consent ticked was shown to nobody."""
    consented = report_incident(demo_platform, reporter_contact="13812345678", contact_consent=True)
    withheld = report_incident(demo_platform, reporter_contact="13987654321")
    for username, shown, hidden in (
        ("tpj-coordinator", "13812345678", "139****4321"),
        ("tpj-g01-leader", "13812345678", "139****4321"),
        ("dunren-coordinator", "138****5678", "139****4321"),
    ):
        person = sign_in(username, PHONE)
        page = person.page
        page.goto(f"/incidents/{consented}")
        expect(page.locator("[data-contact]")).to_have_text(shown)
        page.goto(f"/incidents/{withheld}")
        expect(page.locator("[data-contact]")).to_have_text(hidden)
        person.close()
