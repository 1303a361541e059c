"""The deadline timer loop: every replica runs one; the rows decide who fires what, once."""

from __future__ import annotations

import asyncio
import logging

from incidents.service_layer.pipeline import utcnow
from incidents.service_layer.timers import fire_due_timers
from lianxin.service import Runtime

log = logging.getLogger(__name__)

# Deadlines are minutes apart at the least: waking every few seconds is punctual enough.
POLL_SECONDS = 5.0


async def run_deadline_timers(rt: Runtime, poll: float = POLL_SECONDS) -> None:
    while True:
        try:
            taken = await fire_due_timers(rt.uow(), utcnow())  # type: ignore[arg-type]
            if taken:
                log.info("deadline ladder: %d step(s) taken", taken)
                continue  # there may be more due than one claim took
        except Exception:  # a database hiccup must not stop the deadlines for good
            log.exception("deadline timers failed; retrying")
        await asyncio.sleep(poll)
