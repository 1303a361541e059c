"""Every event an end-to-end run leaves in the streams, read as a stranger's client would: the
CloudEvents SDK parses it, its JSON Schema (docs/contracts/events) accepts it, its NATS subject is
its channel's in the AsyncAPI document, and its `Nats-Msg-Id` is its id."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime

import jsonschema
import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from nats.js.errors import NotFoundError

from lianxin.contracts.schemas import DOCS, subject_matches
from lianxin.messaging.connection import connect
from lianxin.messaging.streams import STREAMS
from tests.conftest import Platform, eventually
from tests.e2e.data import POWER, report_and_escalate

pytestmark = pytest.mark.e2e

CLOUD_EVENT_STREAMS = [s.name for s in STREAMS if s.name != "DLQ"]  # DLQ: the server's advisories


async def _stored(plat: Platform) -> list[tuple[str, str, dict, bytes]]:
    """(stream, subject, headers, body) of every message in the CloudEvent streams."""
    nc = await connect(plat.nats_url, "lianxin-test-events")
    found = []
    try:
        js = nc.jetstream()
        for stream in CLOUD_EVENT_STREAMS:
            state = (await js.stream_info(stream)).state
            for seq in range(state.first_seq, state.last_seq + 1):
                try:
                    msg = await js.get_msg(stream, seq)
                except NotFoundError:  # deleted by the fixture between tests
                    continue
                found.append((stream, msg.subject, dict(msg.headers or {}), msg.data))
    finally:
        await nc.close()
    return found


def _channels() -> dict[str, str]:
    """CloudEvent type → its channel's address as a NATS pattern (`{param}` → `*`)."""
    document = json.loads((DOCS / "asyncapi.json").read_text())
    by_name = {m["name"]: m["title"] for m in document["components"]["messages"].values()}
    return {
        by_name[name]: re.sub(r"\{[^}]+\}", "*", channel["address"])
        for channel in document["channels"].values()
        for name in channel["messages"]
    }


def _resolved(incidents, incident_id: str) -> None:
    # dept-sim is a process of its own: on a loaded machine it takes a while to start.
    eventually(
        lambda: incidents.get(f"/incidents/{incident_id}").json()["status"] == "resolved",
        timeout=90,
        interval=0.3,
    )


def _a_loop_with_a_reopening(plat: Platform) -> None:
    incidents = plat.http("incidents")
    incident = report_and_escalate(plat)
    url = f"/incidents/{incident['id']}"
    department = plat.dept_sim(POWER, limit=2)
    _resolved(incidents, incident["id"])
    assert incidents.post(f"{url}/verification", json={"note": "已复核"}).status_code == 200
    unsatisfied = {"rating": "unsatisfied", "comment": "又停了"}
    assert incidents.post(f"{url}/feedback", json=unsatisfied).status_code == 200
    assert department.wait(60) == 0, plat.log("incidents")[-2000:]
    _resolved(incidents, incident["id"])
    assert incidents.post(f"{url}/verification", json={"note": "已复核"}).status_code == 200
    closed = incidents.post(f"{url}/feedback", json={"rating": "satisfied", "comment": "好了"})
    assert closed.json()["status"] == "closed", closed.text


def test_every_stored_event_is_a_valid_cloudevent_on_its_documented_subject(
    demo_platform: Platform,
) -> None:
    _a_loop_with_a_reopening(demo_platform)
    eventually(lambda: demo_platform.http("incidents").get("/ops/outbox").json()["unsent"] == 0)
    stored = asyncio.run(_stored(demo_platform))
    channels = _channels()
    schemas = {}
    problems = []
    for stream, subject, headers, body in stored:
        raw = json.loads(body)
        where = f"{stream} {subject} {raw.get('id')}"
        try:
            event = JSONFormat().read(CloudEvent, body)
        except Exception as exc:  # the SDK's validation errors have no common base here
            problems.append(f"{where}: the CloudEvents SDK refuses it: {exc}")
            continue
        attributes = event.get_attributes()
        if "id" not in raw or headers.get("Nats-Msg-Id") != raw["id"]:
            problems.append(f"{where}: Nats-Msg-Id {headers.get('Nats-Msg-Id')} is not the id")
        if raw.get("datacontenttype") != "application/json" or not raw.get("dataschema"):
            problems.append(f"{where}: datacontenttype/dataschema missing")
        if not isinstance(attributes.get("time"), datetime) or attributes["time"].tzinfo is None:
            problems.append(f"{where}: time {raw.get('time')} is not a zoned timestamp")
        pattern = channels.get(raw["type"])
        if pattern is None or not subject_matches(pattern, subject):
            problems.append(f"{where}: {raw['type']} is documented on {pattern}, not here")
            continue
        if raw["type"] not in schemas:
            path = DOCS / "events" / f"{raw['type']}.json"
            schemas[raw["type"]] = jsonschema.Draft202012Validator(json.loads(path.read_text()))
        problems += [
            f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in schemas[raw["type"]].iter_errors(raw)
        ]
    assert problems == []
    types = {json.loads(body)["type"] for *_, body in stored}
    # The run covered every kind of traffic: the organisation, the incident, the whistles (new
    # and reopened) and the department's reports.
    for expected in (
        "cn.lianxin.org.department.registered.v1",
        "cn.lianxin.incidents.incident.closed.v1",
        "cn.lianxin.incidents.assignment.dispatched.v1",
        "cn.lianxin.incidents.assignment.reopened.v1",
        "cn.lianxin.departments.assignment.acknowledged.v1",
        "cn.lianxin.departments.assignment.resolved.v1",
    ):
        assert expected in types
    assert len(stored) > 100
