"""The volunteers process: `uvicorn volunteers.entrypoints.app:app`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from lianxin.auth import Principal, authenticated
from lianxin.contracts import CloudEvent, EventData
from lianxin.messaging.streams import VOLUNTEERS_INCIDENTS, VOLUNTEERS_WISHES
from lianxin.messaging.subscriber import EventHandler
from lianxin.service import Runtime, create_service_app, runtime
from volunteers.adapters.orm import metadata
from volunteers.service_layer.mobilising import mobilise_for_emergency
from volunteers.service_layer.points import credit_wish
from volunteers.service_layer.unit_of_work import VolunteersUnitOfWork

router = APIRouter()


class MobilisationOut(BaseModel):
    id: UUID
    community_code: str
    grid_code: str
    incident_id: UUID
    status: str
    started_at: datetime


@router.get("/mobilisations", response_model=list[MobilisationOut])
async def list_mobilisations(
    community_code: str | None = None,
    rt: Runtime[VolunteersUnitOfWork] = Depends(runtime),
    principal: Principal = Depends(authenticated),
):
    async with rt.uow() as uow:
        found = await uow.mobilisations.list(community_code)
    return [vars(m) for m in found if principal.sees_community(m.community_code)]


def on_escalation(rt: Runtime[VolunteersUnitOfWork]) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        await mobilise_for_emergency(rt.uow(), event, data, VOLUNTEERS_INCIDENTS.durable)

    return handle


def on_wish_closed(rt: Runtime[VolunteersUnitOfWork]) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        await credit_wish(rt.uow(), event, data, VOLUNTEERS_WISHES.durable)

    return handle


app = create_service_app(
    "volunteers",
    title="Lianxin volunteers",
    metadata=metadata,
    routers=[router],
    uow_class=VolunteersUnitOfWork,
    consumers={VOLUNTEERS_INCIDENTS: on_escalation, VOLUNTEERS_WISHES: on_wish_closed},
)
