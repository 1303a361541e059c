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
from resources.entrypoints import (
    deliberations_api,
    feedback_api,
    lists_api,
    meetings_api,
    wishes_api,
)
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


# The API's description (OpenAPI `info.description`): what holds for every route.
DESCRIPTION = """\
Needs, resources, joint meetings, projects and responsibilities, micro-wishes and scorecards of
an alliance's communities.

**Lists are whole.** A list (`GET /needs`, `/offers`, `/meetings`, `/projects`,
`/responsibilities`, `/wishes`, `/wishes/board`, `/wishes/raised`, …) answers every item of the
community asked for (`community_code`), or of all the caller's communities, that the caller may
see: it is not paged and never cut short. Figures (the fulfilment rate, scorecards, stars) count
every item too.

Refusals are `application/problem+json`: 422 names the field, 409 a state that does not allow
the step, 404 an object that does not exist or lies outside the caller's scope, 403 a role that
may not act.
"""


def create_app(
    settings: ServiceSettings | None = None,
    signing_keys: Callable[[Runtime], KeySource] | None = None,
) -> FastAPI:
    """`settings` and `signing_keys` for tests that run the service in-process."""
    app = create_service_app(
        "resources",
        title="Lianxin resources",
        metadata=metadata,
        routers=[
            lists_api.router,
            meetings_api.router,
            wishes_api.router,
            feedback_api.router,
            deliberations_api.router,
        ],
        uow_class=ResourcesUnitOfWork,
        consumers={RESOURCES_INCIDENTS: on_escalation},
        workers=[responsibility_deadlines],
        settings=settings,
        signing_keys=signing_keys,
    )
    app.description = DESCRIPTION
    return app


app = create_app()
