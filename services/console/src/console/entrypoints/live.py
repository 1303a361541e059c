"""Server-sent events: what changes on the platform reaches the open pages without a reload.

An incident's status changes reach its page and the incident lists; a need, offer, project,
responsibility, wish or meeting that changes reaches the resources pages that list it, and a
meeting's own page hears its meeting's (`topic=meeting:<id>`). A page names what it follows
(`/events?topic=needs&topic=meetings`; `incidents` when it names nothing).
Each connection hears every event the console receives from NATS and passes on only those its
page follows and its user may see, which it asks the service with the user's own token: the same
answer the user would get opening the incident's, the need's or the meeting's page (a wish's
event: whether its community is in the user's scope, as resources reads the board).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator

from console.adapters.events import LiveEvents
from console.domain.live import (
    TOPICS,
    Asked,
    IncidentEvent,
    LiveEvent,
    ResourcesEvent,
    in_scope,
    parse_topic,
    visible,
)
from console.entrypoints.web import Session, session

router = APIRouter()

# A list's name or `meeting:<id>`; anything else is a 422 naming the field.
Topic = Annotated[str, AfterValidator(parse_topic)]
FOLLOWS = f"what the page follows: {', '.join(TOPICS)}, or one meeting (meeting:<id>)"

HEARTBEAT_SECONDS = 15
# The browser reconnects by itself; a bounded connection notices an expired token and lets the
# server stop without waiting on streams that never end.
LIFETIME_SECONDS = 300


async def _visible(
    current: Session, event: LiveEvent, asked: Asked | None, seen: set[Asked]
) -> bool:
    if asked is None:
        community = event.community if isinstance(event, ResourcesEvent) else None
        return community is not None and in_scope(current.principal, community)
    if asked not in seen:
        answer = await current.services.get(asked.service, asked.path, **dict(asked.params))
        if answer.status == 401:
            raise PermissionError("token expired")
        if not visible(answer.status, answer.body):
            return False  # not cached: a shared incident may become visible later
        seen.add(asked)
    return True


async def _heard(
    current: Session, event: LiveEvent, topics: frozenset[str], seen: set[Asked]
) -> frozenset[str]:
    """Which of the page's topics the event reaches: each asked as its own topic says (a
    meeting's page asks for the meeting, the lists for what they list)."""
    heard: set[str] = set()
    answers: dict[Asked | None, bool] = {}
    for topic in sorted(event.topics & topics):
        asked = event.asked_for(topic)
        if asked not in answers:
            answers[asked] = await _visible(current, event, asked, seen)
        if answers[asked]:
            heard.add(topic)
    return frozenset(heard)


def _message(event: LiveEvent, heard: frozenset[str]) -> str:
    if isinstance(event, IncidentEvent):
        data = {"incident_id": event.incident_id, "fact": event.fact}
        return f"event: incident\ndata: {json.dumps(data)}\n\n"
    data = {"topics": sorted(heard), "fact": event.fact}
    return f"event: resources\ndata: {json.dumps(data)}\n\n"


async def _stream(
    request: Request, current: Session, topics: frozenset[str] = frozenset({"incidents"})
) -> AsyncIterator[str]:
    events: LiveEvents = request.app.state.live_events
    seen: set[Asked] = set()
    ends = time.monotonic() + LIFETIME_SECONDS
    yield "retry: 2000\n\n"
    with events.listen() as queue:
        # A browser that goes away cancels this generator (Starlette watches for it).
        while time.monotonic() < ends:
            if events.closed:
                return
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ": still here\n\n"
                continue
            if event is None:
                return  # the console is stopping
            if not event.topics & topics:
                continue  # the page shows nothing it changes: nobody asked
            try:
                heard = await _heard(current, event, topics, seen)
            except PermissionError:
                return
            if heard:
                yield _message(event, heard)


@router.get("/events")
async def events(
    request: Request,
    topic: list[Topic] = Query(["incidents"], description=FOLLOWS),
    current: Session = Depends(session),
) -> StreamingResponse:
    return StreamingResponse(
        _stream(request, current, frozenset(topic)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
