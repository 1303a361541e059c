"""What the platform promises when things go wrong: outbox, inbox, dead letters, bad input."""

from __future__ import annotations

import asyncio
import json
import uuid

import nats
import pytest

from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.dept_sim import report_event
from tests.conftest import Platform, eventually
from tests.e2e.data import TRANSFORMER, escalation, report_and_escalate

pytestmark = pytest.mark.e2e


def _escalated(plat: Platform) -> tuple[dict, dict]:
    """Report and escalate the transformer; returns the incident and its one assignment."""
    incident = report_and_escalate(plat)
    return incident, incident["assignments"][0]


async def _pull_everything(nats_url: str, durable: str, seconds: float) -> list[dict]:
    """Pull as the department would for a while, acking each; returns the whistles seen."""
    nc = await nats.connect(nats_url)
    seen = []
    try:
        subscription = await nc.jetstream().pull_subscribe_bind(durable, stream="DISPATCH")
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            try:
                messages = await subscription.fetch(10, timeout=0.5)
            except (nats.errors.TimeoutError, TimeoutError):  # nats-py raises either
                continue
            for msg in messages:
                seen.append(json.loads(msg.data))
                await msg.ack()
    finally:
        await nc.close()
    return seen


def test_a_whistle_written_while_nats_is_down_reaches_the_department_exactly_once(
    demo_platform: Platform,
) -> None:
    if isinstance(demo_platform.nats_handle, str):
        pytest.skip("stopping NATS needs a server the test owns (unset NATS_URL)")
    incidents = demo_platform.http("incidents")
    incident = incidents.post("/incidents", json=TRANSFORMER).json()

    demo_platform.nats_handle.stop()
    escalated = incidents.post(f"/incidents/{incident['id']}/escalation", json=escalation())
    assert escalated.status_code == 200, escalated.text  # the state change needs only PostgreSQL
    assignment = escalated.json()["assignments"][0]
    # The relay cannot publish: the whistle waits in the outbox.
    assert incidents.get("/ops/outbox").json()["unsent"] >= 2

    demo_platform.nats_handle.start()
    eventually(lambda: incidents.get("/ops/outbox").json()["unsent"] == 0, timeout=40)

    whistles = asyncio.run(_pull_everything(demo_platform.nats_url, "dept_power_supply", 3))
    assert [w["data"]["assignment_id"] for w in whistles] == [assignment["id"]]
    assert demo_platform.consumer("DISPATCH", "dept_power_supply").num_pending == 0


def test_a_report_delivered_twice_changes_the_incident_once(demo_platform: Platform) -> None:
    incident, assignment = _escalated(demo_platform)
    event = report_event("power_supply", "acknowledged", assignment["id"], note="已接单")
    subject = "report.power_supply.assignment_acknowledged"
    before = demo_platform.consumer("REPORTS", "incidents_reports").delivered.stream_seq
    # The same event twice, as after a redelivery past JetStream's de-duplication window.
    for _ in range(2):
        demo_platform.publish(subject, json.dumps(event).encode())

    eventually(
        lambda: (
            (c := demo_platform.consumer("REPORTS", "incidents_reports")).delivered.stream_seq
            == before + 2
            and c.num_ack_pending == 0
        )
    )
    state = demo_platform.http("incidents").get(f"/incidents/{incident['id']}").json()
    actions = [line["action"] for line in state["timeline"]]
    assert actions.count("acknowledged") == 1
    assert state["assignments"][0]["status"] == "acknowledged"
    assert demo_platform.http("incidents").get("/ops/dead-letters").json() == []


def test_a_malformed_report_is_dead_lettered_and_the_next_one_still_flows(
    demo_platform: Platform,
) -> None:
    incident, assignment = _escalated(demo_platform)
    incidents = demo_platform.http("incidents")
    malformed = report_event("power_supply", "acknowledged", assignment["id"])
    del malformed["data"]["assignment_id"]
    demo_platform.publish(
        "report.power_supply.assignment_acknowledged", json.dumps(malformed).encode()
    )
    demo_platform.publish("report.power_supply.assignment_resolved", b"{not json")

    letters = eventually(lambda: len(got := incidents.get("/ops/dead-letters").json()) == 2 and got)
    by_subject = {letter["subject"]: letter for letter in letters}
    missing = by_subject["report.power_supply.assignment_acknowledged"]
    assert missing["consumer"] == "incidents_reports"
    assert "assignment_id" in missing["reason"] and "Field required" in missing["reason"]
    assert json.loads(missing["payload"]) == malformed
    assert (
        "not a Lianxin CloudEvent"
        in by_subject["report.power_supply.assignment_resolved"]["reason"]
    )

    good = report_event("power_supply", "acknowledged", assignment["id"], note="已接单")
    demo_platform.publish("report.power_supply.assignment_acknowledged", json.dumps(good).encode())
    eventually(
        lambda: (
            incidents.get(f"/incidents/{incident['id']}").json()["assignments"][0]["status"]
            == "acknowledged"
        )
    )


def test_a_report_for_another_departments_assignment_is_refused(demo_platform: Platform) -> None:
    incident, assignment = _escalated(demo_platform)
    forged = report_event("police", "resolved", assignment["id"], result="not ours")
    demo_platform.publish("report.police.assignment_resolved", json.dumps(forged).encode())
    letters = eventually(lambda: demo_platform.http("incidents").get("/ops/dead-letters").json())
    assert "another department" in letters[0]["reason"]
    state = demo_platform.http("incidents").get(f"/incidents/{incident['id']}").json()
    assert state["status"] == "escalated"


def test_invalid_input_is_a_problem_naming_the_field_and_writes_nothing(
    demo_platform: Platform,
) -> None:
    incidents = demo_platform.http("incidents")
    bad = incidents.post("/incidents", json={**TRANSFORMER, "urgency": "whenever"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in bad.json()["errors"]] == ["urgency"]

    unknown_grid = incidents.post("/incidents", json={**TRANSFORMER, "micro_grid_code": "nowhere"})
    assert unknown_grid.status_code == 422
    assert unknown_grid.json()["errors"][0]["field"] == "micro_grid_code"
    assert incidents.get("/incidents").json() == []

    incident = incidents.post("/incidents", json=TRANSFORMER).json()
    eventually(lambda: incidents.get("/ops/outbox").json()["unsent"] == 0)
    unknown_department = incidents.post(
        f"/incidents/{incident['id']}/escalation",
        json=escalation("power_supply", "ghostbusters"),
    )
    assert unknown_department.status_code == 422
    assert unknown_department.json()["errors"][0]["field"] == "department_codes"
    assert "ghostbusters" in unknown_department.json()["detail"]
    state = incidents.get(f"/incidents/{incident['id']}").json()
    assert state["status"] == "reported" and state["assignments"] == []
    assert incidents.get("/ops/outbox").json()["unsent"] == 0
    assert demo_platform.consumer("DISPATCH", "dept_power_supply").num_pending == 0

    missing = incidents.get(f"/incidents/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"

    twice = incidents.post(f"/incidents/{incident['id']}/escalation", json=escalation())
    assert twice.status_code == 200
    again = incidents.post(f"/incidents/{incident['id']}/escalation", json=escalation())
    assert again.status_code == 409


def test_a_dead_letter_replayed_goes_back_to_its_consumer(demo_platform: Platform) -> None:
    incidents = demo_platform.http("incidents")
    # Still unfixed: the replay is dead-lettered again, which shows it reached the consumer.
    demo_platform.publish("report.power_supply.assignment_resolved", b"{not json")
    [letter] = eventually(lambda: incidents.get("/ops/dead-letters").json())

    replayed = incidents.post(f"/ops/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["subject"] == letter["subject"]
    assert replayed.json()["stream_seq"] > letter["stream_seq"]

    letters = eventually(lambda: len(got := incidents.get("/ops/dead-letters").json()) == 2 and got)
    again, first = letters  # newest first
    assert again["stream_seq"] == replayed.json()["stream_seq"]
    assert again["payload"] == letter["payload"] and first["replayed_at"]

    assert incidents.post("/ops/dead-letters/999999/replay").status_code == 404
    coordinator = demo_platform.token("tpj-coordinator", DEMO_PASSWORD)
    assert (
        demo_platform.http("incidents", coordinator)
        .post(f"/ops/dead-letters/{letter['id']}/replay")
        .status_code
        == 403
    )
