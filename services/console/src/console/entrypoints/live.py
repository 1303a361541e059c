"""Server-sent events: an incident's status changes reach the open pages without a reload.

Each connection hears every incident event the console receives from NATS and passes on only
those about incidents its user may see, which it asks incidents with the user's own token: the
same answer the user would get opening the incident's page.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from console.adapters.events import IncidentEvent, IncidentEvents
from console.entrypoints.web import Session, session

router = APIRouter()

HEARTBEAT_SECONDS = 15
# The browser reconnects by itself; a bounded connection notices an expired token and lets the
# server stop without waiting on streams that never end.
LIFETIME_SECONDS = 300


async def _visible(current: Session, event: IncidentEvent, seen: dict[str, bool]) -> bool:
    if event.incident_id not in seen:
        answer = await current.services.get("incidents", f"/incidents/{event.incident_id}")
        if answer.status == 401:
            raise PermissionError("token expired")
        if not answer.ok:
            return False  # not cached: a shared incident may become visible later
        seen[event.incident_id] = True
    return seen[event.incident_id]


async def _stream(request: Request, current: Session) -> AsyncIterator[str]:
    events: IncidentEvents = request.app.state.incident_events
    seen: dict[str, bool] = {}
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
            try:
                if not await _visible(current, event, seen):
                    continue
            except PermissionError:
                return
            data = {"incident_id": event.incident_id, "fact": event.fact}
            yield f"event: incident\ndata: {json.dumps(data)}\n\n"


@router.get("/events")
async def events(request: Request, current: Session = Depends(session)) -> StreamingResponse:
    return StreamingResponse(
        _stream(request, current),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
