"""The resources process: `uvicorn resources.entrypoints.app:app`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from lianxin.auth import Principal, authenticated
from lianxin.contracts import CloudEvent, EventData
from lianxin.messaging.streams import RESOURCES_INCIDENTS
from lianxin.messaging.subscriber import EventHandler
from lianxin.service import Runtime, create_service_app, runtime
from resources.adapters.orm import metadata
from resources.service_layer.handlers import ResourcesUnitOfWork, open_need_for_escalation

router = APIRouter()


class NeedOut(BaseModel):
    id: UUID
    community_code: str
    title: str
    status: str
    opened_at: datetime
    source_incident_id: UUID | None


@router.get("/needs", response_model=list[NeedOut])
async def list_needs(
    community_code: str | None = None,
    rt: Runtime[ResourcesUnitOfWork] = Depends(runtime),
    principal: Principal = Depends(authenticated),
):
    async with rt.uow() as uow:
        found = await uow.needs.list(community_code)
    return [vars(n) for n in found if principal.sees_community(n.community_code)]


def on_escalation(rt: Runtime[ResourcesUnitOfWork]) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        await open_need_for_escalation(rt.uow(), event, data, RESOURCES_INCIDENTS.durable)

    return handle


app = create_service_app(
    "resources",
    title="Lianxin resources",
    metadata=metadata,
    routers=[router],
    uow_class=ResourcesUnitOfWork,
    consumers={RESOURCES_INCIDENTS: on_escalation},
)
