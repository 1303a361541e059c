"""The event stream tells a user only of the incidents the incidents service lets them see."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from console.adapters.events import IncidentEvent, IncidentEvents, parse
from console.adapters.services import Answer
from console.entrypoints.live import _stream
from console.entrypoints.web import Session
from lianxin.auth import Principal, Role

MINE, THEIRS = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


class IncidentsAsTheUser:
    """incidents as one coordinator sees it: her incident is there, the other is not found."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def get(self, service: str, path: str, **params) -> Answer:
        incident_id = path.rsplit("/", 1)[1]
        self.asked.append(incident_id)
        return Answer(200, {"id": MINE}) if incident_id == MINE else Answer(404, {})


async def test_only_visible_incidents_reach_the_browser() -> None:
    events = IncidentEvents()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(incident_events=events)))
    services = IncidentsAsTheUser()
    principal = Principal("tpj-coordinator", Role.COMMUNITY_COORDINATOR)
    stream = _stream(request, Session(principal, "token", services))

    assert await anext(stream) == "retry: 2000\n\n"
    pending = anext(stream)  # starts listening
    task = asyncio.ensure_future(pending)
    await asyncio.sleep(0)
    events.publish(IncidentEvent(THEIRS, "reported", "incidents.incident.reported"))
    events.publish(IncidentEvent(MINE, "escalated", "incidents.incident.escalated"))
    sent = await task
    assert sent.startswith("event: incident\n")
    assert json.loads(sent.split("data: ", 1)[1]) == {"incident_id": MINE, "fact": "escalated"}
    assert services.asked == [THEIRS, MINE]
    await stream.aclose()


def test_an_event_names_its_incident_and_fact() -> None:
    payload = json.dumps({"id": "e1", "data": {"incident_id": MINE}}).encode()
    assert parse("incidents.assignment.acknowledged", payload) == IncidentEvent(
        MINE, "acknowledged", "incidents.assignment.acknowledged"
    )
    assert parse("incidents.incident.reported", b"{not json") is None


async def test_every_stream_ends_when_the_console_stops() -> None:
    events = IncidentEvents()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(incident_events=events)))
    principal = Principal("tpj-coordinator", Role.COMMUNITY_COORDINATOR)
    stream = _stream(request, Session(principal, "token", IncidentsAsTheUser()))
    await anext(stream)
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    events.close()
    try:
        await task
    except StopAsyncIteration:
        pass
    else:
        raise AssertionError("the stream went on")
