"""The event stream tells a user only of the incidents the incidents service lets them see, and
of the resources' changes their page lists and their scope holds."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from console.adapters.events import LiveEvents, parse
from console.adapters.services import Answer
from console.domain.live import Asked, IncidentEvent, parse_topic, resources_event
from console.entrypoints.live import _stream
from console.entrypoints.web import Session
from lianxin.auth import Principal, Role, Scope

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
    events = LiveEvents()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(live_events=events)))
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
    events = LiveEvents()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(live_events=events)))
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


NEED, PROJECT, MEETING = (f"{n}3333333-3333-4333-8333-333333333333" for n in "345")


@pytest.mark.parametrize(
    ("subject", "data", "topics", "asked"),
    [
        (
            "resources.need.recorded",
            {"need_id": NEED, "community_code": "tpj"},
            {"needs"},
            f"/needs/{NEED}",
        ),
        (
            "resources.offer.used",
            {"offer_id": NEED, "member_unit_code": "u1"},
            {"resources"},
            "/offers",
        ),
        (
            "resources.project.claimed",
            {"project_id": PROJECT},
            {"projects", "feedback"},
            f"/projects/{PROJECT}",
        ),
        (
            "resources.project.responsibility_completed",
            {"project_id": PROJECT, "responsibility_id": NEED},
            {"responsibilities", "projects", "feedback"},
            f"/projects/{PROJECT}",
        ),
        (
            "resources.responsibility.overdue",
            {"project_id": PROJECT, "responsibility_id": NEED},
            {"responsibilities", "projects", "feedback"},
            f"/projects/{PROJECT}",
        ),
        (
            "resources.meeting.scheduled",
            {"meeting_id": MEETING},
            {"meetings", "feedback", f"meeting:{MEETING}"},
            f"/meetings/{MEETING}",
        ),
        (
            "resources.meeting.project_decided",
            {"meeting_id": MEETING, "project_id": PROJECT},
            {"meetings", "projects", "feedback", f"meeting:{MEETING}"},
            f"/meetings/{MEETING}",
        ),
        (
            "resources.meeting.need_declined",
            {"meeting_id": MEETING, "need_id": NEED},
            {"meetings", "needs", "feedback", f"meeting:{MEETING}"},
            f"/needs/{NEED}",
        ),
    ],
)
def test_a_resources_event_names_the_lists_it_changes_and_whom_to_ask(
    subject: str, data: dict, topics: set[str], asked: str
) -> None:
    event = resources_event(subject, data)
    assert event is not None
    assert event.topics == topics
    assert event.asked is not None and event.asked.service == "resources"
    assert event.asked.path == asked


def test_an_offer_is_asked_of_its_units_list_and_a_wish_by_its_community() -> None:
    offer = resources_event(
        "resources.offer.withdrawn", {"offer_id": NEED, "member_unit_code": "u1"}
    )
    assert offer is not None and offer.asked == Asked(
        "resources", "/offers", (("unit", "u1"), ("limit", "1"))
    )
    wish = resources_event("resources.wish.claimed", {"wish_id": NEED, "community_code": "tpj"})
    assert wish is not None and wish.topics == {"wishes"}
    assert (wish.asked, wish.community) == (None, "tpj")


def test_a_wish_not_yet_on_the_board_is_asked_of_its_page() -> None:
    # A volunteer reads the board but not a wish's page: she hears of it once it is published.
    data = {"wish_id": NEED, "community_code": "tpj"}
    recorded = resources_event("resources.wish.recorded", data)
    assert recorded is not None and recorded.asked == Asked("resources", f"/wishes/{NEED}")
    assert recorded.community is None


@pytest.mark.parametrize(
    ("subject", "data"),
    [
        ("resources.deliberation.closed", {"deliberation_id": NEED, "community_code": "tpj"}),
        ("resources.scorecard.stars_published", {"community_code": "tpj"}),
        ("resources.emergency.offers_made", {"incident_id": NEED}),
        ("resources.wish.published", {"wish_id": NEED}),  # no community: nobody may hear of it
        ("resources.need", {"need_id": NEED}),
    ],
)
def test_an_event_no_list_shows_reaches_no_page(subject: str, data: dict) -> None:
    assert resources_event(subject, data) is None


def test_a_resources_payload_is_read_into_its_event() -> None:
    payload = json.dumps({"id": "e1", "data": {"need_id": NEED, "community_code": "tpj"}})
    event = parse("resources.need.met", payload.encode())
    assert event is not None and event.topics == {"needs"} and event.fact == "met"
    assert parse("resources.need.met", b'{"data": []}') is None


class ResourcesAsTheUser:
    """resources as a coordinator of `tpj` sees it: her need and her units' offers, nothing of
    another community's (404, an empty list)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, dict]] = []

    async def get(self, service: str, path: str, **params) -> Answer:
        self.asked.append((service, path, params))
        if path == f"/needs/{NEED}" or params.get("unit") == "tpj-unit":
            return Answer(200, {"id": NEED} if params == {} else [{"id": NEED}])
        return Answer(200, []) if path == "/offers" else Answer(404, {})


async def _heard(
    topics: set[str], published: list, principal: Principal, services, last: str = "met"
) -> list[dict]:
    """What a page following `topics` is sent of `published`, in order, up to the first message
    of the fact `last` (the tests' last event: a need that is met)."""
    events = LiveEvents()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(live_events=events)))
    stream = _stream(request, Session(principal, "token", services), frozenset(topics))
    await anext(stream)
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    for event in published:
        events.publish(event)
    heard: list[dict] = []
    while not heard or heard[-1]["fact"] != last:
        sent = await task
        heard.append({"event": sent.split("\n")[0], **json.loads(sent.split("data: ", 1)[1])})
        task = asyncio.ensure_future(anext(stream))
    task.cancel()
    await stream.aclose()
    return heard


def _event(subject: str, **data: str):
    event = resources_event(subject, data)
    assert event is not None
    return event


async def test_a_list_page_hears_only_its_lists_in_its_users_scope() -> None:
    principal = Principal(
        "tpj-coordinator", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"tpj"}))
    )
    services = ResourcesAsTheUser()
    other_need = "99999999-9999-4999-8999-999999999999"
    published = [
        IncidentEvent(MINE, "escalated", "incidents.incident.escalated"),  # not followed
        _event("resources.meeting.scheduled", meeting_id=MEETING, community_code="tpj"),  # nor this
        _event("resources.need.recorded", need_id=other_need, community_code="other"),
        _event("resources.offer.filed", offer_id=NEED, member_unit_code="other-unit"),
        _event("resources.wish.published", wish_id=NEED, community_code="other"),
        _event("resources.need.recorded", need_id=NEED, community_code="tpj"),
        _event("resources.offer.used", offer_id=NEED, member_unit_code="tpj-unit"),
        _event("resources.wish.claimed", wish_id=NEED, community_code="tpj"),
        _event("resources.need.met", need_id=NEED, community_code="tpj"),
    ]
    heard = await _heard({"needs", "resources", "wishes"}, published, principal, services)
    assert heard == [
        {"event": "event: resources", "topics": ["needs"], "fact": "recorded"},
        {"event": "event: resources", "topics": ["resources"], "fact": "used"},
        {"event": "event: resources", "topics": ["wishes"], "fact": "claimed"},
        {"event": "event: resources", "topics": ["needs"], "fact": "met"},
    ]
    # Only what the page follows was asked of resources (the need once: then it is known).
    assert [path for _, path, _ in services.asked] == [
        f"/needs/{other_need}",
        "/offers",
        f"/needs/{NEED}",
        "/offers",
    ]


async def test_a_department_never_hears_of_a_communitys_wish() -> None:
    principal = Principal(
        "dept-op", Role.DEPARTMENT_OPERATOR, Scope(communities=frozenset({"tpj"}))
    )
    published = [
        _event("resources.wish.published", wish_id=NEED, community_code="tpj"),
        _event("resources.need.met", need_id=NEED, community_code="tpj"),  # the fake lets it by
    ]
    heard = await _heard({"wishes", "needs"}, published, principal, ResourcesAsTheUser())
    assert [h["topics"] for h in heard] == [["needs"]]


@pytest.mark.parametrize(
    ("query", "field"), [("topic=needs&topic=gossip", "topic.1"), ("topic=meeting:nope", "topic.0")]
)
def test_a_page_that_asks_to_follow_what_is_not_a_list_is_told_which_field(
    query: str, field: str
) -> None:
    from starlette.testclient import TestClient

    from console.entrypoints.app import app
    from console.entrypoints.web import session

    app.dependency_overrides[session] = lambda: None
    try:
        answer = TestClient(app).get(f"/events?{query}")
    finally:
        del app.dependency_overrides[session]
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


OTHER_MEETING = "63333333-3333-4333-8333-333333333333"


def test_a_page_follows_a_list_by_its_name_or_one_meeting_by_its_id() -> None:
    assert parse_topic("meetings") == "meetings"
    assert parse_topic(f"meeting:{MEETING.upper()}") == f"meeting:{MEETING}"  # the events' spelling
    for text in ("meeting", "meeting:", "meeting:nope", f"meetings:{MEETING}", "gossip"):
        with pytest.raises(ValueError):
            parse_topic(text)


def test_a_step_of_a_meetings_record_reaches_its_page_asked_as_the_meeting() -> None:
    recorded = _event("resources.meeting.recorded", meeting_id=MEETING, step="attendance")
    assert recorded.topics == {"meetings", f"meeting:{MEETING}"}
    assert recorded.asked_for(f"meeting:{MEETING}") == Asked("resources", f"/meetings/{MEETING}")
    # A need declined is asked of the need on the lists, of the meeting on the meeting's page.
    declined = _event("resources.meeting.need_declined", meeting_id=MEETING, need_id=NEED)
    assert declined.asked_for("needs") == Asked("resources", f"/needs/{NEED}")
    assert declined.asked_for(f"meeting:{MEETING}") == Asked("resources", f"/meetings/{MEETING}")


class MeetingAsTheUser:
    """resources as an invited department sees it: one meeting's page, not another's."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def get(self, service: str, path: str, **params) -> Answer:
        self.asked.append(path)
        return Answer(200, {"id": MEETING}) if path == f"/meetings/{MEETING}" else Answer(404, {})


async def test_a_meetings_page_hears_only_its_meetings_events() -> None:
    principal = Principal(
        "dept-op", Role.DEPARTMENT_OPERATOR, Scope(communities=frozenset({"tpj"}))
    )
    services = MeetingAsTheUser()
    published = [
        _event("resources.meeting.recorded", meeting_id=OTHER_MEETING, step="minutes"),
        _event("resources.need.recorded", need_id=NEED, community_code="tpj"),  # not followed
        _event("resources.meeting.need_declined", meeting_id=MEETING, need_id=NEED),
        _event("resources.meeting.recorded", meeting_id=MEETING, step="attendance"),
        _event("resources.meeting.closed", meeting_id=MEETING),
    ]
    heard = await _heard({f"meeting:{MEETING}"}, published, principal, services, "closed")
    topic = [f"meeting:{MEETING}"]
    assert heard == [
        {"event": "event: resources", "topics": topic, "fact": "need_declined"},
        {"event": "event: resources", "topics": topic, "fact": "recorded"},
        {"event": "event: resources", "topics": topic, "fact": "closed"},
    ]
    # Another meeting's event reaches no page but its own: this one never asked of it, and
    # asked of its own meeting once (then it is known).
    assert services.asked == [f"/meetings/{MEETING}"]
