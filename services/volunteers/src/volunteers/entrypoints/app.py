"""The volunteers process: `uvicorn volunteers.entrypoints.app:app`."""

from __future__ import annotations

from lianxin.auth import authenticated
from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts.incidents import IncidentClosed
from lianxin.messaging.streams import VOLUNTEERS_CARE, VOLUNTEERS_INCIDENTS, VOLUNTEERS_WISHES
from lianxin.messaging.subscriber import EventHandler
from lianxin.service import Runtime, create_service_app
from lianxin.settings import ServiceSettings
from volunteers.adapters.orm import metadata
from volunteers.entrypoints import care, people, points
from volunteers.entrypoints.caller import caller
from volunteers.service_layer.care_visits import credit_care_visit
from volunteers.service_layer.mobilising import close_for_incident, mobilise_for_emergency
from volunteers.service_layer.points import credit_wish
from volunteers.service_layer.unit_of_work import VolunteersUnitOfWork


def on_escalation(rt: Runtime[VolunteersUnitOfWork]) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        if isinstance(data, IncidentClosed):
            await close_for_incident(rt.uow(), event, data, VOLUNTEERS_INCIDENTS.durable)
        else:
            await mobilise_for_emergency(rt.uow(), event, data, VOLUNTEERS_INCIDENTS.durable)

    return handle


def on_wish_closed(rt: Runtime[VolunteersUnitOfWork]) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        await credit_wish(rt.uow(), event, data, VOLUNTEERS_WISHES.durable)

    return handle


def on_care_visit(rt: Runtime[VolunteersUnitOfWork]) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        await credit_care_visit(rt.uow(), event, data, VOLUNTEERS_CARE.durable)

    return handle


def create_app(settings: ServiceSettings | None = None, signing_keys=None):
    """`signing_keys`: where tokens are verified against (tests hand in their own key)."""
    app = create_service_app(
        "volunteers",
        title="Lianxin volunteers",
        metadata=metadata,
        routers=[people.router, points.router, care.router],
        uow_class=VolunteersUnitOfWork,
        consumers={
            VOLUNTEERS_INCIDENTS: on_escalation,
            VOLUNTEERS_WISHES: on_wish_closed,
            VOLUNTEERS_CARE: on_care_visit,
        },
        settings=settings,
        signing_keys=signing_keys,
    )
    app.dependency_overrides[authenticated] = caller  # a volunteer's account → her profile
    return app


app = create_app()
