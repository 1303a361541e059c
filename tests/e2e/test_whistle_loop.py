"""The whistle-and-report loop across real processes: HTTP in, NATS between, one trace."""

from __future__ import annotations

import pytest

from lianxin import http_clients
from tests.conftest import Platform, eventually
from tests.e2e.data import TRANSFORMER, escalation, report, report_and_escalate, resolved

pytestmark = pytest.mark.e2e

# A member unit's vehicle marked for emergencies (the demo data has none yet).
EMERGENCY_TRUCK = {
    "community_code": "taipingjie",
    "member_unit_code": "tpj-u01",
    "kind": "vehicle",
    "title": "抢修车",
    "quantity": 1,
    "unit": "vehicles",
    "available_from": "2020-01-01T00:00:00+08:00",
    "emergency_available": True,
}


def test_an_escalated_incident_is_resolved_by_its_department_in_one_trace(
    demo_platform: Platform,
) -> None:
    incidents = demo_platform.http("incidents")
    incident = report(incidents)
    assert incident["status"] == "reported"

    escalated = incidents.post(f"/incidents/{incident['id']}/escalation", json=escalation())
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["status"] == "escalated"

    department = demo_platform.dept_sim("power_supply", limit=1)
    assert department.wait(30) == 0, demo_platform.log("incidents")

    done = resolved(incidents, incident["id"])
    actions = [line["action"] for line in done["timeline"]]
    assert actions == ["reported", "escalated", "acknowledged", "assignment_resolved", "resolved"]
    [assignment] = done["assignments"]
    assert assignment["status"] == "resolved" and assignment["acknowledged_at"]

    # One trace covers the report's HTTP request, the relay's publish, the department's handling
    # and incidents' consumption of the department's reports.
    trace_id = done["trace_id"]
    spans = eventually(
        lambda: (
            (s := [x for x in demo_platform.spans() if x["trace_id"] == trace_id])
            and any(
                x["name"].startswith("report.power_supply.assignment_resolved process") for x in s
            )
            and s
        )
    )
    seen = {(s["service"], s["kind"], s["name"]) for s in spans}
    assert ("incidents", "SERVER", "POST /incidents") in seen
    assert ("incidents", "PRODUCER", "dispatch.power_supply.assignment_dispatched publish") in seen
    assert (
        "department-power_supply",
        "CONSUMER",
        "dispatch.power_supply.assignment_dispatched process",
    ) in seen
    assert ("incidents", "CONSUMER", "report.power_supply.assignment_acknowledged process") in seen
    assert ("incidents", "CONSUMER", "report.power_supply.assignment_resolved process") in seen
    assert any(s["service"] == "incidents" and s["name"].startswith("INSERT") for s in spans)
    publish = next(s for s in spans if s["kind"] == "PRODUCER" and "dispatch." in s["name"])
    assert publish["attributes"]["messaging.system"] == "nats"
    assert publish["attributes"]["messaging.message.conversation_id"] == incident["id"]


def test_a_wartime_escalation_offers_emergency_resources_and_mobilises_the_grid(
    demo_platform: Platform,
) -> None:
    resources = demo_platform.http("resources")
    truck = resources.post("/offers", json=EMERGENCY_TRUCK)
    assert truck.status_code == 201, truck.text
    incident = report_and_escalate(demo_platform)

    offered = eventually(
        lambda: resources.get(f"/incidents/{incident['id']}/emergency-offers").json()
    )
    assert truck.json()["id"] in [o["id"] for o in offered]
    # An escalation no longer opens a need: a coordinator records one when the community decides.
    needs = resources.get("/needs").json()
    assert incident["id"] not in [n["source_incident_id"] for n in needs]

    volunteers = demo_platform.http("volunteers")
    mobilisations = eventually(lambda: volunteers.get("/mobilisations").json())
    assert [(m["incident_id"], m["grid_code"]) for m in mobilisations] == [
        (incident["id"], "tpj-g01")
    ]


def test_a_peacetime_escalation_mobilises_no_one(demo_platform: Platform) -> None:
    incidents = demo_platform.http("incidents")
    durables = ("resources_incidents", "volunteers_incidents")
    before = {d: demo_platform.consumer("INCIDENTS", d).delivered.stream_seq for d in durables}
    general = {**TRANSFORMER, "urgency": "general", "description": "路灯不亮"}
    incident = report_and_escalate(demo_platform, incident=general, http=incidents)
    # resources and volunteers received the same escalation, acknowledged it, and did nothing.
    for durable in durables:
        eventually(
            lambda durable=durable: (
                (c := demo_platform.consumer("INCIDENTS", durable)).ack_floor.stream_seq
                == c.delivered.stream_seq
                and c.delivered.stream_seq > before[durable]
                and c.num_pending == 0
            )
        )
    assert demo_platform.http("volunteers").get("/mobilisations").json() == []
    resources = demo_platform.http("resources")
    assert resources.get(f"/incidents/{incident['id']}/emergency-offers").json() == []
    assert incident["id"] not in [n["source_incident_id"] for n in resources.get("/needs").json()]


def test_a_coordinator_signs_in_to_the_console_and_sees_only_her_communitys_incidents(
    demo_platform: Platform,
) -> None:
    incident = demo_platform.http("incidents").post("/incidents", json=TRANSFORMER).json()

    assert (
        http_clients.get(demo_platform.url("console") + "/").status_code == 303
    )  # to the login page
    page = demo_platform.console_as("tpj-coordinator").get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert f'data-incident-id="{incident["id"]}"' in page.text
    assert "已上报" in page.text and TRANSFORMER["description"] in page.text

    other = demo_platform.console_as("cs-coordinator").get("/")
    assert other.status_code == 200 and incident["id"] not in other.text
    visitor = demo_platform.console_visitor()
    wrong = visitor.post("/login", data={"username": "x", "password": "nope-nope"})
    visitor.close()
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
