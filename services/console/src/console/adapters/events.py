"""The incidents' events, as they happen, for the browsers that have a page open.

A core NATS subscription to the INCIDENTS stream's subjects: the console keeps no state, so it
needs no durable consumer; a browser that was away reloads the page anyway. Each event is handed
to every open server-sent-events connection, which decides whether its user may hear of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg

log = logging.getLogger(__name__)

SUBJECTS = "incidents.>"


@dataclass(frozen=True)
class IncidentEvent:
    incident_id: str
    fact: str  # the subject's last part: "escalated", "acknowledged", …
    subject: str


def parse(subject: str, payload: bytes) -> IncidentEvent | None:
    try:
        envelope = json.loads(payload)
        incident_id = str(envelope["data"]["incident_id"])
    except (ValueError, KeyError, TypeError):
        return None
    return IncidentEvent(incident_id, subject.rsplit(".", 1)[-1], subject)


class IncidentEvents:
    def __init__(self, queue_size: int = 100) -> None:
        self._listeners: set[asyncio.Queue[IncidentEvent | None]] = set()
        self._queue_size = queue_size
        self.closed = False

    async def subscribe(self, nc: Client) -> None:
        await nc.subscribe(SUBJECTS, cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        event = parse(msg.subject, msg.data)
        if event is None:
            log.warning("not an incident event on %s", msg.subject)
            return
        self.publish(event)

    def publish(self, event: IncidentEvent) -> None:
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
    def listen(self) -> Iterator[asyncio.Queue[IncidentEvent | None]]:
        queue: asyncio.Queue[IncidentEvent | None] = asyncio.Queue(self._queue_size)
        self._listeners.add(queue)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)
