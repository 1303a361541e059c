"""Issue #17, 1: a department's reports on one assignment are applied in the order it sent them,
whatever the number of incidents replicas pulling `incidents_reports`.

Two consumers (two NATS connections, as two incidents processes would be) pull the one durable
one message at a time; every acknowledgement takes a while to apply, so the resolution sent
right after it reaches the other consumer first. Each resolution must wait for its
acknowledgement: every timeline has both steps, once each and in order, and nothing is
dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from incidents.adapters.orm import metadata
from incidents.entrypoints.subscribers import on_report_in
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.contracts import CloudEvent, EventData
from lianxin.dept_sim import report_event
from lianxin.messaging.connection import connect
from lianxin.messaging.streams import INCIDENTS_REPORTS
from lianxin.messaging.subscriber import EventHandler, run_consumer
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.service import Runtime, message_handler
from lianxin.settings import ServiceSettings

from .test_deadline_timers import seed, whistled

WHISTLES = 4


def _slow_acknowledgements(rt: Runtime) -> EventHandler:
    applied = on_report_in(rt)

    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        if event.type.endswith(".acknowledged.v1"):
            await asyncio.sleep(0.4)  # the other replica meanwhile takes the next message
        await applied(event, data, subject)

    return handle


async def _replica(database: str, nats: str) -> tuple[Runtime, object]:
    nc = await connect(nats, "incidents-replica")
    rt = Runtime(
        name="incidents",
        settings=ServiceSettings(service_name="incidents", database_url=database, nats_url=nats),
        migrations_package="incidents",
        uow_class=IncidentsUnitOfWork,
        outbox=metadata.tables["outbox"],
        inbox=metadata.tables["inbox"],
        dead_letters=metadata.tables["dead_letters"],
        engine=make_engine(database),
        nc=nc,
        js=nc.jetstream(),
    )
    rt.sessions = make_session_factory(rt.engine)
    on_message = message_handler(rt, INCIDENTS_REPORTS, _slow_acknowledgements)
    task = asyncio.create_task(run_consumer(rt.js, INCIDENTS_REPORTS, on_message, batch=1))
    return rt, task


async def test_two_replicas_apply_each_assignments_reports_in_the_order_sent(
    migrated_database, nats: str
) -> None:
    database = await migrated_database("incidents")
    first = await _replica(database, nats)
    uow = first[0].uow()
    await seed(uow)
    incidents = [await whistled(uow) for _ in range(WHISTLES)]
    second = await _replica(database, nats)

    js = first[0].js
    for incident in incidents:
        part = str(incident.assignments[0].id)
        for kind, fields in (
            ("acknowledged", {"note": "已接单"}),
            ("resolved", {"result": "已修复"}),
        ):
            event = report_event("power_supply", kind, part, **fields)
            subject = f"report.power_supply.assignment_{kind}"
            await js.publish(
                subject, json.dumps(event).encode(), headers={"Nats-Msg-Id": event["id"]}
            )

    async def timelines() -> list[list[str]]:
        async with uow:
            stored = [await uow.incidents.get(i.id) for i in incidents]
        return [[t.action for t in s.timeline if t.action in STEPS] for s in stored]

    try:
        for _ in range(300):  # 60 s at most
            if all(len(steps) == 2 for steps in await timelines()):
                break
            await asyncio.sleep(0.2)
        dead = (await js.stream_info("DLQ")).state.messages
    finally:
        for rt, task in (first, second):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await rt.nc.close()
            await rt.engine.dispose()

    assert await timelines() == [["acknowledged", "assignment_resolved"]] * WHISTLES
    assert dead == 0  # nothing refused as "the incident is resolved, not escalated"


STEPS = ("acknowledged", "assignment_resolved")
