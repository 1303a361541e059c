"""One whistle to two departments: one returns it and is re-routed, the other resolves; the
incident resolves only when every required assignment has, then is verified and closed.

The departments use two channels: the property company and housing report over NATS with the
plain JSON contract (as `lianxin dept-sim` and docs/departments.md do), the power company signs
for and resolves over REST with its own department-scoped token."""

from __future__ import annotations

import json

import pytest

from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.dept_sim import report_event
from tests.conftest import Platform, eventually
from tests.e2e.data import TRANSFORMER_FROM_A_RESIDENT as TRANSFORMER
from tests.e2e.data import escalation, resolved

pytestmark = pytest.mark.e2e


def status_of(incidents, incident_id: str, assignment_id: str) -> str:
    found = incidents.get(f"/incidents/{incident_id}").json()
    return next(a["status"] for a in found["assignments"] if a["id"] == assignment_id)


def test_a_returned_assignment_is_rerouted_and_both_must_resolve(demo_platform: Platform) -> None:
    plat = demo_platform
    coordinator = plat.http("incidents", plat.token("tpj-coordinator", DEMO_PASSWORD))
    power = plat.http("incidents", plat.token("power-operator", DEMO_PASSWORD))

    incident = coordinator.post("/incidents", json=TRANSFORMER).json()
    suggestion = coordinator.get(f"/incidents/{incident['id']}/routing-suggestion").json()
    assert suggestion["lead_department_code"] == "power_supply"
    assert suggestion["acknowledge_within_minutes"] == 15  # the power company's own target
    escalated = coordinator.post(
        f"/incidents/{incident['id']}/escalation",
        json=escalation("power_supply", "property", lead="power_supply"),
    ).json()
    by_code = {a["department_code"]: a for a in escalated["assignments"]}
    assert by_code["power_supply"]["lead"] and not by_code["property"]["lead"]

    # The property company sends its part back over NATS: not its matter.
    returned = report_event(
        "property", "returned", by_code["property"]["id"], reason="非物业产权设备"
    )
    plat.publish(
        "report.property.assignment_returned",
        json.dumps(returned).encode(),
        headers={"Nats-Msg-Id": returned["id"]},
    )
    eventually(
        lambda: status_of(coordinator, incident["id"], by_code["property"]["id"]) == "returned"
    )

    # The power company sees only its own assignment and the reporter's contact masked.
    seen = power.get(f"/incidents/{incident['id']}").json()
    assert [a["department_code"] for a in seen["assignments"]] == ["power_supply"]
    assert seen["reporter_contact"] == "138****5678" and seen["reporter"] == ""
    # It may not act on another department's assignment.
    assert (
        power.post(
            f"/assignments/{by_code['property']['id']}/return", json={"reason": "x"}
        ).status_code
        == 404
    )

    # It signs for and resolves its part over REST; the incident waits for the returned part.
    lead = by_code["power_supply"]["id"]
    assert (
        power.post(f"/assignments/{lead}/acknowledgement", json={"note": "已接单"}).status_code
        == 200
    )
    after = power.post(f"/assignments/{lead}/resolution", json={"result": "更换变压器, 恢复供电"})
    assert after.status_code == 200, after.text
    assert coordinator.get(f"/incidents/{incident['id']}").json()["status"] == "escalated"

    # The coordinator re-routes the returned part to housing, which resolves it over NATS.
    rerouted = coordinator.post(
        f"/incidents/{incident['id']}/assignments/{by_code['property']['id']}/reroute",
        json={"department_code": "housing"},
    )
    assert rerouted.status_code == 200, rerouted.text
    housing = plat.dept_sim("housing", limit=1)
    assert housing.wait(30) == 0, plat.log("incidents")
    statuses = {
        a["department_code"]: a["status"]
        for a in resolved(coordinator, incident["id"])["assignments"]
    }
    assert statuses == {"power_supply": "resolved", "property": "rerouted", "housing": "resolved"}

    # The grid verifies; the resident is satisfied; it closes.
    assert (
        coordinator.post(
            f"/incidents/{incident['id']}/verification", json={"note": "已恢复"}
        ).status_code
        == 200
    )
    closed = coordinator.post(
        f"/incidents/{incident['id']}/feedback", json={"rating": "satisfied", "comment": "很快"}
    ).json()
    assert closed["status"] == "closed"
    actions = [line["action"] for line in closed["timeline"]]
    assert actions == [
        "reported",
        "escalated",
        "returned",
        "acknowledged",
        "assignment_resolved",
        "rerouted",
        "acknowledged",
        "assignment_resolved",
        "resolved",
        "verified",
        "closed",
    ]


def test_lifecycle_commands_answer_conflicts_and_bad_fields_as_problems(
    demo_platform: Platform,
) -> None:
    coordinator = demo_platform.http(
        "incidents", demo_platform.token("tpj-coordinator", DEMO_PASSWORD)
    )
    incident = coordinator.post("/incidents", json=TRANSFORMER).json()
    url = f"/incidents/{incident['id']}"
    # Verifying what nobody resolved is a state conflict, not a server error.
    conflict = coordinator.post(f"{url}/verification", json={})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"].startswith("application/problem+json")
    # Rejecting without a reason names the field.
    rejected = coordinator.post(f"{url}/triage", json={"accepted": False, "reason": " "})
    assert rejected.status_code == 422 and "reason" in rejected.text
    bad_rating = coordinator.post(f"{url}/feedback", json={"rating": "great"})
    assert bad_rating.status_code == 422 and "rating" in bad_rating.text
    # Nothing was written by the refused commands.
    assert [t["action"] for t in coordinator.get(url).json()["timeline"]] == ["reported"]
    # Settled in the compound: resolved without any department.
    local = coordinator.post(f"{url}/local-resolution", json={"result": "物业已更换保险丝"}).json()
    assert local["status"] == "resolved" and local["resolved_locally"]


def test_an_alliance_edits_its_routing_and_the_suggestion_follows(demo_platform: Platform) -> None:
    plat = demo_platform
    admin = plat.http("incidents", plat.token("alliance-admin", DEMO_PASSWORD))
    coordinator = plat.http("incidents", plat.token("tpj-coordinator", DEMO_PASSWORD))
    outsider = plat.http("incidents", plat.token("cs-coordinator", DEMO_PASSWORD))

    routing = coordinator.get("/routing").json()
    assert routing["alliance_code"] == "lianxin"
    assert routing["service_levels"]["utilities"] == {
        "acknowledge_minutes": 30,
        "resolve_hours": 24.0,
    }
    rule = {
        "category": "power_supply",
        "area": "taipingjie",
        "department_codes": ["property", "power_supply"],
    }
    edited = {**routing, "rules": [rule]}
    edited["service_levels"]["utilities"] = {"acknowledge_minutes": 10, "resolve_hours": 12}
    assert coordinator.put("/routing", json=edited).status_code == 403
    saved = admin.put("/routing", json=edited)
    assert saved.status_code == 200, saved.text

    incident = coordinator.post("/incidents", json=TRANSFORMER).json()
    suggestion = coordinator.get(f"/incidents/{incident['id']}/routing-suggestion").json()
    assert suggestion["lead_department_code"] == "property"
    assert suggestion["co_handler_codes"] == ["power_supply"]
    assert suggestion["acknowledge_within_minutes"] == 10
    assert suggestion["resolve_within_hours"] == 12
    # A coordinator of another community of the alliance does not see the incident.
    assert outsider.get(f"/incidents/{incident['id']}").status_code == 404

    bad = admin.put("/routing", json={**edited, "rules": [{**rule, "department_codes": []}]})
    assert bad.status_code == 422 and "department_codes" in bad.text
