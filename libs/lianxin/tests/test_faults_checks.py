"""The fault suite's checks on recorded evidence: each kind of failure is found, and a clean run
passes."""

from __future__ import annotations

import uuid
from collections import Counter

from lianxin.faults.checks import judge, outage, poison_recorded
from lianxin.faults.driver import Load, LoopRecord
from lianxin.faults.evidence import Evidence, StreamMessage
from lianxin.faults.report import Outcome, markdown
from lianxin.http_clients import async_client

ACK_BY = "2026-11-29T19:39:42+00:00"


def _loop(n: int, at: float | None = 10.0) -> tuple[LoopRecord, dict, list[StreamMessage]]:
    """A loop that went right: its record, its incident as the API shows it, its messages."""
    incident_id, assignment_id = str(uuid.uuid4()), str(uuid.uuid4())
    record = LoopRecord(n, f"loop {n}", incident_id, at)
    timeline = ["reported", "escalated", "acknowledged", "assignment_resolved", "resolved"]
    incident = {
        "id": incident_id,
        "status": "resolved",
        "timeline": [{"action": a, "detail": "已接单"} for a in timeline],
        "assignments": [
            {
                "id": assignment_id,
                "acknowledged_at": "2026-11-29T19:25:00+00:00",
                "acknowledge_by": ACK_BY,
            }
        ],
    }
    on_incident = {"incident_id": incident_id, "assignment_id": assignment_id}
    on_assignment = {"assignment_id": assignment_id}
    messages = [
        _msg("INCIDENTS", "incidents.incident.reported", {"incident_id": incident_id}),
        _msg("INCIDENTS", "incidents.incident.escalated", {"incident_id": incident_id}),
        _msg("DISPATCH", "incidents.assignment.dispatched", on_incident),
        _msg("REPORTS", "departments.assignment.acknowledged", on_assignment),
        _msg("INCIDENTS", "incidents.assignment.acknowledged", on_incident),
        _msg("REPORTS", "departments.assignment.resolved", on_assignment),
        _msg("INCIDENTS", "incidents.assignment.resolved", on_incident),
        _msg("INCIDENTS", "incidents.incident.resolved", {"incident_id": incident_id}),
    ]
    return record, incident, messages


def _msg(stream: str, kind: str, data: dict, msg_id: str | None = None) -> StreamMessage:
    event = {"type": f"cn.lianxin.{kind}.v1", "subject": "", "data": data}
    return StreamMessage(stream, 0, kind, msg_id or str(uuid.uuid4()), event)


def _run(*loops) -> tuple[Load, Evidence]:
    records = [record for record, _, _ in loops]
    incidents = {incident["id"]: incident for _, incident, _ in loops}
    messages = [m for _, _, own in loops for m in own]
    by_description = {r.description: [r.incident_id] for r in records}
    return Load("t", records), Evidence(incidents, by_description, messages, [])


def test_a_clean_run_holds() -> None:
    load, evidence = _run(_loop(0), _loop(1))
    verdict = judge(load, evidence, converged=True)
    assert verdict.held, verdict.examples
    assert (verdict.loops, verdict.acknowledged) == (2, 2)


def test_an_acknowledged_incident_that_is_gone_is_lost_and_an_unacknowledged_one_is_not() -> None:
    acknowledged, never = _loop(0), _loop(1, at=None)
    load, evidence = _run(acknowledged, never)
    evidence.incidents[acknowledged[1]["id"]] = None
    evidence.incidents[never[1]["id"]] = None
    verdict = judge(load, evidence, converged=True)
    assert verdict.counts == Counter(lost=1)


def test_an_unresolved_incident_is_stuck_and_not_also_missing_its_steps() -> None:
    record, incident, messages = _loop(0)
    incident["status"] = "escalated"
    incident["timeline"] = incident["timeline"][:2]
    verdict = judge(*_run((record, incident, messages[:3])), converged=False)
    assert verdict.counts == Counter(stuck=1)


def test_a_report_applied_out_of_order_leaves_a_step_missing() -> None:
    # Two replicas: the acknowledgement came after the resolution and was dead-lettered.
    record, incident, messages = _loop(0)
    incident["timeline"] = [s for s in incident["timeline"] if s["action"] != "acknowledged"]
    messages = [m for m in messages if m.type != "cn.lianxin.incidents.assignment.acknowledged.v1"]
    verdict = judge(*_run((record, incident, messages)), converged=True)
    assert verdict.counts == Counter(missing=1)
    assert "acknowledged" in verdict.examples[0]


def test_a_doubled_step_event_or_msg_id_is_doubled_and_a_second_incident_a_dup() -> None:
    step, event, msg_id, incident = _loop(0), _loop(1), _loop(2), _loop(3)
    step[1]["timeline"].append({"action": "acknowledged", "detail": ""})
    event[2].append(_msg("INCIDENTS", "incidents.incident.escalated", event[2][1].data["data"]))
    again = msg_id[2][1]
    msg_id[2].append(_msg(again.stream, "incidents.other", again.data["data"], again.msg_id))
    load, evidence = _run(step, event, msg_id, incident)
    evidence.by_description[incident[0].description].append(str(uuid.uuid4()))
    verdict = judge(load, evidence, converged=True)
    assert verdict.counts == Counter(doubled=3, dup_incident=1)


def test_acknowledgements_out_of_dispatch_order_are_misordered() -> None:
    first, second = _loop(0), _loop(1)
    messages = [m for m in first[2] + second[2] if m.stream == "DISPATCH"]
    acks = [m for m in first[2] + second[2] if m.stream != "DISPATCH"]
    second_acks = [m for m in acks if m in second[2]]
    first_acks = [m for m in acks if m in first[2]]
    load, evidence = _run(first, second)
    ordered = Evidence(
        evidence.incidents, evidence.by_description, messages + second_acks + first_acks, []
    )
    assert judge(load, ordered, converged=True).counts == Counter(misordered=1)


def test_a_late_acknowledgement_must_be_marked_late_and_a_timely_one_not() -> None:
    unmarked_late, marked_timely, marked_late = _loop(0), _loop(1), _loop(2)
    unmarked_late[1]["assignments"][0]["acknowledged_at"] = "2026-11-29T20:00:00+00:00"
    marked_timely[1]["timeline"][2]["detail"] = "已接单 (late)"
    marked_late[1]["assignments"][0]["acknowledged_at"] = "2026-11-29T20:00:00+00:00"
    marked_late[1]["timeline"][2]["detail"] = "已接单 (late)"
    verdict = judge(*_run(unmarked_late, marked_timely, marked_late), converged=True)
    assert verdict.counts == Counter(late_mismatch=2)


def test_not_converging_fails_even_when_every_loop_read_resolved_at_last() -> None:
    verdict = judge(*_run(_loop(0)), converged=False)
    assert verdict.counts == Counter(stuck=1)


def test_the_outage_is_the_longest_gap_without_an_acknowledgement_from_the_fault_on() -> None:
    load = Load("t", [LoopRecord(n, "", "x", at) for n, at in enumerate([1.0, 5.0, 12.0, 13.0])])
    assert outage(load, fault_started=4.0) == 7.0
    assert outage(load, fault_started=20.0) is None


def test_each_poison_message_is_one_dead_letter() -> None:
    letters = [
        {"headers": {"Nats-Msg-Id": "a"}, "reason": "not JSON"},
        {"headers": {"Nats-Msg-Id": "b"}, "reason": "unknown assignment"},
        {"headers": {"Nats-Msg-Id": "b"}, "reason": "unknown assignment"},
        {"headers": {}, "reason": "someone else's"},
    ]
    assert poison_recorded(["a", "b", "c"], letters) == {
        "a": ["not JSON"],
        "b": ["unknown assignment", "unknown assignment"],
        "c": [],
    }


def test_the_table_shows_every_scenario_and_whether_it_held() -> None:
    held = judge(*_run(_loop(0)), converged=True)
    failed = judge(*_run(_loop(1)), converged=False)
    rows = [
        Outcome("kill-nats", "kill -9", held, [], 1.5, 3.0, {"refused": 2}).to_dict(),
        Outcome("two-replicas", "two", failed, [], None, None).to_dict(),
        Outcome("kill-pg", "kill", held, ["loop 3: POST /incidents: 422 …"], None, None).to_dict(),
    ]
    table = markdown(rows)
    assert "| kill-nats | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 1.5 | 3.0 | held |" in table
    assert "| two-replicas | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | — | — | **FAILED** |" in table
    assert "refused ×2" in table
    # A loop the client gave up on fails the scenario, and the table says why.
    assert "| kill-pg | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | — | — | **FAILED** |" in table
    assert "  - gave up: loop 3: POST /incidents: 422 …" in table


async def test_the_driver_waits_out_a_key_held_by_a_request_that_died() -> None:
    """kill-incidents: a POST killed with its process leaves its `Idempotency-Key` claimed; the
    retry gets 409 with Retry-After until the claim's lease lapses, then creates (not give up)."""
    import httpx

    from lianxin.faults.driver import _until_answered

    answers = iter([409, 409, 201])

    def answer(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        headers = {"Retry-After": "0"} if status == 409 else {}
        return httpx.Response(status, json={"id": "x"}, headers=headers)

    errors: Counter[str] = Counter()
    async with async_client(
        base_url="http://incidents", transport=httpx.MockTransport(answer)
    ) as http:
        created = await _until_answered(
            http, "POST", "/incidents", {}, errors, deadline=float("inf"), key="k"
        )
    assert created.status_code == 201
    assert errors == Counter({"HTTP 409 (key held)": 2})
