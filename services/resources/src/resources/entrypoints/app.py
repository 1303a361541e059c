"""The resources process: `uvicorn resources.entrypoints.app:app`.

The escalation consumer no longer opens a need for every escalation: a wartime escalation puts
the community's emergency offers before its coordinator, a peacetime one changes nothing here (a
need from an incident is recorded by a coordinator, `POST /needs` with `source_incident_id`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from fastapi import FastAPI

from lianxin.auth import KeySource
from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts.incidents import IncidentEscalated
from lianxin.errors import RuleBroken
from lianxin.messaging.streams import RESOURCES_INCIDENTS
from lianxin.messaging.subscriber import EventHandler
from lianxin.service import Runtime, create_service_app
from lianxin.settings import ServiceSettings
from resources.adapters.orm import metadata
from resources.entrypoints import feedback_api, lists_api, meetings_api, wishes_api
from resources.service_layer.offers import offer_for_emergency
from resources.service_layer.projects import check_deadlines
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

log = logging.getLogger(__name__)

# How often the overdue ladder of responsibilities is looked at: they are due by the day, so a
# minute late is never noticed, and each rung is taken once however often it is checked.
DEADLINES_EVERY = 60.0


def on_escalation(rt: Runtime[ResourcesUnitOfWork]) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        if not isinstance(data, IncidentEscalated):
            raise RuleBroken("type", f"not an escalation: {event.type}")
        await offer_for_emergency(rt.uow(), event, data, RESOURCES_INCIDENTS.durable)

    return handle


async def responsibility_deadlines(rt: Runtime[ResourcesUnitOfWork]) -> None:
    """The overdue ladder of responsibilities; a failed round (the database restarting) is
    logged and the next round tries again, rather than the ladder stopping for good."""
    while True:
        try:
            await check_deadlines(rt.uow())
        except Exception:
            log.exception("responsibility deadlines: this round failed")
        await asyncio.sleep(DEADLINES_EVERY)


def create_app(
    settings: ServiceSettings | None = None,
    signing_keys: Callable[[Runtime], KeySource] | None = None,
) -> FastAPI:
    """`settings` and `signing_keys` for tests that run the service in-process."""
    return create_service_app(
        "resources",
        title="Lianxin resources",
        metadata=metadata,
        routers=[lists_api.router, meetings_api.router, wishes_api.router, feedback_api.router],
        uow_class=ResourcesUnitOfWork,
        consumers={RESOURCES_INCIDENTS: on_escalation},
        workers=[responsibility_deadlines],
        settings=settings,
        signing_keys=signing_keys,
    )


app = create_app()
