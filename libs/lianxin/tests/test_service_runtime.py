"""What `create_service_app` runs for a service: the consumers it binds, by their declaration, and
its background workers, started with the relay and cancelled with it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import MetaData

from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts.org import DepartmentRegistered
from lianxin.messaging.streams import (
    INCIDENTS_DELIBERATIONS,
    INCIDENTS_ORG,
    INCIDENTS_REPORTS,
    INCIDENTS_WEBHOOKS,
    RESOURCES_INCIDENTS,
    VOLUNTEERS_CARE,
    VOLUNTEERS_INCIDENTS,
    VOLUNTEERS_WISHES,
)
from lianxin.messaging.subscriber import EventHandler
from lianxin.persistence.db import make_engine
from lianxin.persistence.tables import messaging_tables
from lianxin.service import Runtime, check_consumers, create_service_app
from lianxin.settings import ServiceSettings


def _ignore(rt: Runtime) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        return None

    return handle


def test_a_service_binds_exactly_the_consumers_declared_for_it() -> None:
    volunteers = (VOLUNTEERS_INCIDENTS, VOLUNTEERS_WISHES, VOLUNTEERS_CARE)
    check_consumers("volunteers", dict.fromkeys(volunteers, _ignore))
    check_consumers("organisation", {})
    with pytest.raises(RuntimeError, match="volunteers_incidents"):
        check_consumers("volunteers", {})  # its backlog would grow unseen
    with pytest.raises(RuntimeError, match="resources_incidents"):
        check_consumers(
            "volunteers",
            dict.fromkeys((*volunteers, RESOURCES_INCIDENTS), _ignore),
        )
    with pytest.raises(RuntimeError, match="incidents_org"):
        check_consumers("organisation", {INCIDENTS_ORG: _ignore})


async def test_the_runtime_runs_bound_consumers_and_workers_and_cancels_them_on_shutdown(
    database: str, nats: str
) -> None:
    metadata = MetaData()
    messaging_tables(metadata)
    engine = make_engine(database)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()

    received: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    started = asyncio.Event()
    cancelled: list[str] = []

    def on_org_event(rt: Runtime) -> EventHandler:
        async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
            await received.put((event.id, subject))

        return handle

    async def heartbeat(rt: Runtime) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(rt.name)
            raise

    settings = ServiceSettings(
        service_name="incidents", database_url=database, nats_url=nats, outbox_poll_seconds=0.1
    )
    app = create_service_app(
        "incidents",
        title="runtime under test",
        metadata=metadata,
        routers=[],
        consumers={
            INCIDENTS_ORG: on_org_event,
            INCIDENTS_REPORTS: _ignore,
            INCIDENTS_WEBHOOKS: _ignore,
            INCIDENTS_DELIBERATIONS: _ignore,
        },
        workers=[heartbeat],
        settings=settings,
    )
    async with app.router.lifespan_context(app):
        rt: Runtime = app.state.runtime
        await asyncio.wait_for(started.wait(), 10)
        assert "heartbeat" in {task.get_name() for task in rt.tasks}
        # Through this runtime's own outbox and relay, back to the consumer it bound.
        async with rt.uow() as uow:
            event_id = uow.emit(
                DepartmentRegistered(code="police", name="police", categories=["x"])
            )
            await uow.commit()
        assert await asyncio.wait_for(received.get(), 20) == (
            event_id,
            "org.department.registered",
        )
    assert cancelled == ["incidents"]
