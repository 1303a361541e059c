"""The incidents' and resources' events, as they happen, for the browsers that have a page open.

Core NATS subscriptions to the INCIDENTS and RESOURCES streams' subjects: the console keeps no
state, so it needs no durable consumer; a browser that was away reloads the page anyway. Each
event is handed to every open server-sent-events connection, which decides whether its user may
hear of it (`console.domain.live` says what it changes and whom to ask).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from nats.aio.client import Client
from nats.aio.msg import Msg

from console.domain.live import IncidentEvent, LiveEvent, resources_event

log = logging.getLogger(__name__)

SUBJECTS = ("incidents.>", "resources.>")


def parse(subject: str, payload: bytes) -> LiveEvent | None:
    """The event an open page may follow; None for one it cannot read or none follows."""
    try:
        data = json.loads(payload)["data"]
        if subject.startswith("resources."):
            return resources_event(subject, data)
        incident_id = str(data["incident_id"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return IncidentEvent(incident_id, subject.rsplit(".", 1)[-1], subject)


class LiveEvents:
    def __init__(self, queue_size: int = 100) -> None:
        self._listeners: set[asyncio.Queue[LiveEvent | None]] = set()
        self._queue_size = queue_size
        self.closed = False

    async def subscribe(self, nc: Client) -> None:
        for subjects in SUBJECTS:
            await nc.subscribe(subjects, cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        event = parse(msg.subject, msg.data)
        if event is None:
            if msg.subject.startswith("incidents."):
                log.warning("not an incident event on %s", msg.subject)
            return  # a resources event no list follows (a deliberation, a scorecard): expected
        self.publish(event)

    def publish(self, event: LiveEvent) -> None:
        for queue in list(self._listeners):
            # A stalled browser misses events; its next page load catches up.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(event)

    def close(self) -> None:
        """Tell every listener to stop (a `None` in its queue): the process is going down, and
        open event streams would otherwise keep it waiting for them."""
        self.closed = True
        for queue in list(self._listeners):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)

    @contextmanager
    def listen(self) -> Iterator[asyncio.Queue[LiveEvent | None]]:
        queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(self._queue_size)
        self._listeners.add(queue)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)
