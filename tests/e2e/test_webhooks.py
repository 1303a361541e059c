"""A department on the webhook channel, across real processes: a signed POST for each whistle,
the delivery log for its own operator, its signing key issued by the platform alone."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import asyncpg
import pytest

from incidents.domain.webhooks import SIGNATURE_HEADER, verify
from lianxin.auth import fetch_token
from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.testing.webhook_receiver import Receiver, webhook_receiver
from tests.conftest import Platform, eventually
from tests.e2e.data import PROPERTY_SYSTEM, PROPERTY_SYSTEM_SECRET, report_and_escalate

pytestmark = pytest.mark.e2e


def point_property_at(platform: Platform, receiver: Receiver) -> tuple[str, str]:
    """Point the demo's webhook department at the receiver; issue its signing key (as `lianxin
    keys rotate` does) and open a client account for its back-office system. Returns that
    system's token and the key, shown this once."""
    with platform.http("organisation") as org:
        changed = org.patch(
            "/departments/property", json={"channels": [{"kind": "webhook", "url": receiver.url}]}
        )
        assert changed.status_code == 200, changed.text
        opened = org.post("/accounts", json=PROPERTY_SYSTEM)
        assert opened.status_code in (201, 409), opened.text
    with platform.http("incidents") as incidents:
        eventually(
            lambda: any(
                d["code"] == "property" and d["channels"][0]["url"] == receiver.url
                for d in incidents.get("/departments").json()
            )
        )
        issued = incidents.post("/departments/property/webhook-keys")
        assert issued.status_code == 201, issued.text
        assert issued.json()["signature_header"] == SIGNATURE_HEADER
    token = fetch_token(
        platform.url("organisation"),
        PROPERTY_SYSTEM["username"],
        PROPERTY_SYSTEM_SECRET,
        client=True,
    )
    return token, issued.json()["secret"]


def escalate(platform: Platform, departments: list[str]) -> dict:
    return report_and_escalate(platform, *departments, lead=departments[0])


def test_a_whistle_reaches_a_webhook_department_signed_and_logged(
    demo_platform: Platform,
) -> None:
    with webhook_receiver() as receiver:
        token, secret = point_property_at(demo_platform, receiver)
        incident = escalate(demo_platform, ["power_supply", "property"])
        [headers, body] = eventually(lambda: receiver.received and receiver.received[0])

        system = demo_platform.http("incidents", token)
        verify(secret, body, headers[SIGNATURE_HEADER], now=int(time.time()))

        # Only property's whistle came: power_supply takes its whistles over NATS.
        event = json.loads(body)
        [assignment] = [a for a in incident["assignments"] if a["department_code"] == "property"]
        assert event["type"] == "cn.lianxin.incidents.assignment.dispatched.v1"
        assert event["data"]["assignment_id"] == assignment["id"]
        assert event["data"]["incident_id"] == incident["id"]
        assert len(receiver.received) == 1

        log = eventually(
            lambda: (
                (r := system.get("/departments/property/webhook-deliveries").json())
                and r[0]["status"] == "delivered"
                and r
            )
        )
        [delivery] = log
        assert delivery["id"] == headers["X-Lianxin-Delivery"]
        assert delivery["assignment_id"] == assignment["id"]
        assert [(a["number"], a["status_code"]) for a in delivery["attempt_log"]] == [(1, 200)]

        # Only a dead delivery is sent again. (Seven hours of schedule are not waited out here:
        # the database is told it died, as the dispatcher would have after its last attempt.)
        again = f"/departments/property/webhook-deliveries/{delivery['id']}/redelivery"
        assert system.post(again).status_code == 409
        asyncio.run(_mark_dead(demo_platform, delivery["id"]))
        redelivered = system.post(again)
        assert redelivered.status_code == 200, redelivered.text
        assert redelivered.json()["status"] == "pending"
        [second_headers, second_body] = eventually(
            lambda: len(receiver.received) == 2 and receiver.received[1]
        )
        assert second_headers["X-Lianxin-Delivery"] == delivery["id"]
        assert second_headers["X-Lianxin-Attempt"] == "2" and second_body == body
        after = eventually(
            lambda: (
                (r := system.get("/departments/property/webhook-deliveries").json()[0])["status"]
                == "delivered"
                and r
            )
        )
        assert [a["number"] for a in after["attempt_log"]] == [1, 2]


async def _mark_dead(platform: Platform, delivery_id: str) -> None:
    conn = await asyncpg.connect(platform.database_url("incidents"))
    try:
        await conn.execute(
            "UPDATE webhook_deliveries SET status = 'dead', next_attempt_at = NULL WHERE id = $1",
            uuid.UUID(delivery_id),
        )
    finally:
        await conn.close()


def test_a_departments_keys_are_the_platforms_to_issue_and_its_log_its_own(
    demo_platform: Platform,
) -> None:
    power = demo_platform.token("power-operator", DEMO_PASSWORD)
    admin = demo_platform.token("alliance-admin", DEMO_PASSWORD)
    with demo_platform.http("incidents", power) as http:
        assert http.get("/departments/property/webhook-keys").status_code == 403
        assert http.get("/departments/property/webhook-deliveries").status_code == 403
        assert http.post("/departments/power_supply/webhook-keys").status_code == 403
        own = http.get("/departments/power_supply/webhook-keys")
        assert own.status_code == 200 and all("secret" not in k for k in own.json())
        assert http.get("/departments/nowhere/webhook-deliveries").status_code == 404
    with demo_platform.http("incidents", admin) as http:
        # The alliance admin watches deliveries but never holds nor issues a department's key.
        assert http.get("/departments/property/webhook-deliveries").status_code == 200
        assert http.post("/departments/property/webhook-keys").status_code == 403
    with demo_platform.http("incidents") as http:
        bad = http.get("/departments/property/webhook-deliveries", params={"status": "lost"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_a_webhook_department_reports_back_over_rest_with_its_own_token(
    demo_platform: Platform,
) -> None:
    with webhook_receiver() as receiver:
        token, _ = point_property_at(demo_platform, receiver)
        escalate(demo_platform, ["property"])
        [_, body] = eventually(lambda: receiver.received and receiver.received[0])
    assignment_id = json.loads(body)["data"]["assignment_id"]
    incident_id = json.loads(body)["data"]["incident_id"]

    # Another department cannot touch property's assignment; the grid cannot act for it.
    power = demo_platform.token("power-operator", DEMO_PASSWORD)
    with demo_platform.http("incidents", power) as http:
        other = http.post(f"/assignments/{assignment_id}/acknowledgement", json={"note": "x"})
        assert other.status_code == 404
    coordinator = demo_platform.token("tpj-coordinator", DEMO_PASSWORD)
    with demo_platform.http("incidents", coordinator) as http:
        grid = http.post(f"/assignments/{assignment_id}/acknowledgement", json={"note": "x"})
        assert grid.status_code == 403

    with demo_platform.http("incidents", token) as system:
        steps = [
            ("acknowledgement", {"note": "物业已接单"}),
            ("start", {"note": "电工到场"}),
            ("resolution", {"result": "配电房清理完毕, 已恢复供电"}),
        ]
        for step, body in steps:
            answer = system.post(f"/assignments/{assignment_id}/{step}", json=body)
            assert answer.status_code == 200, answer.text
        again = system.post(f"/assignments/{assignment_id}/acknowledgement", json={"note": "x"})
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"
        incident = system.get(f"/incidents/{incident_id}").json()
    [assignment] = incident["assignments"]
    assert assignment["status"] == "resolved" and assignment["started_at"]
    assert incident["status"] == "resolved"
    actions = [line["action"] for line in incident["timeline"]]
    assert actions[-4:] == ["acknowledged", "started", "assignment_resolved", "resolved"]
