"""A department without a system of its own works its assignment in the console: signs for it,
starts, reports the result; it cannot touch another department's part."""

from __future__ import annotations

import pytest

from lianxin.demo.accounts import PASSWORD
from tests.conftest import Platform
from tests.e2e.data import STAIRCASE_OUTAGE, escalation

pytestmark = pytest.mark.e2e


def test_the_power_company_signs_for_starts_and_resolves_its_part_in_the_console(
    demo_platform: Platform,
) -> None:
    coordinator = demo_platform.http("incidents", demo_platform.token("tpj-coordinator", PASSWORD))
    incident_id = coordinator.post("/incidents", json=STAIRCASE_OUTAGE).json()["id"]
    escalated = coordinator.post(
        f"/incidents/{incident_id}/escalation",
        json=escalation("power_supply", "property", lead="power_supply"),
    ).json()
    ids = {a["department_code"]: a["id"] for a in escalated["assignments"]}
    page = f"/incidents/{incident_id}"

    console = demo_platform.console_as("power-operator")
    dispatched = console.get(page).text
    assert f'data-department-steps="{ids["power_supply"]}"' in dispatched
    assert 'data-action="acknowledgement"' in dispatched and 'data-action="start"' not in dispatched

    assert console.post(f"{page}/assignments/{ids['power_supply']}/acknowledgement").is_redirect
    acknowledged = console.get(page).text
    assert (
        'data-action="start"' in acknowledged
        and 'data-action="acknowledgement"' not in acknowledged
    )
    assert console.post(f"{page}/assignments/{ids['power_supply']}/start").is_redirect

    empty = console.post(
        f"{page}/assignments/{ids['power_supply']}/resolution", data={"result": " "}
    )
    assert empty.status_code == 422 and 'id="result-error"' in empty.text
    assert console.post(
        f"{page}/assignments/{ids['power_supply']}/resolution",
        data={"result": "更换熔断器, 已复电"},
    ).is_redirect

    # Not its part: the property company's assignment is not the power company's to sign for.
    other = console.post(f"{page}/assignments/{ids['property']}/acknowledgement")
    assert other.status_code == 404
    by_code = {a["department_code"]: a for a in coordinator.get(page).json()["assignments"]}
    assert by_code["power_supply"]["status"] == "resolved"
    assert by_code["power_supply"]["result"] == "更换熔断器, 已复电"
    assert by_code["property"]["status"] == "dispatched"
    actions = [line["action"] for line in coordinator.get(page).json()["timeline"]]
    assert actions[-3:] == ["acknowledged", "started", "assignment_resolved"]

    # A coordinator has no department steps to take.
    tpj = demo_platform.console_as("tpj-coordinator")
    assert "data-department-steps" not in tpj.get(page).text
    assert tpj.post(f"{page}/assignments/{ids['property']}/acknowledgement").status_code == 403
