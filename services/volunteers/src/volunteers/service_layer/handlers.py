"""Volunteers' commands and event handlers."""

from __future__ import annotations

from datetime import UTC, datetime

from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts import incidents as incident_events
from lianxin.contracts import volunteers as contracts
from volunteers.domain.model import Mobilisation
from volunteers.service_layer.unit_of_work import VolunteersUnitOfWork


async def mobilise_for_emergency(
    uow: VolunteersUnitOfWork, event: CloudEvent, data: EventData, consumer: str
) -> None:
    """Only wartime escalations mobilise; peacetime ones are acknowledged and skipped."""
    assert isinstance(data, incident_events.IncidentEscalated)
    if not data.wartime:
        return
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return
        mobilisation = Mobilisation.start(
            data.incident_id, data.community_code, data.grid_path, datetime.now(UTC)
        )
        await uow.mobilisations.add(mobilisation)
        for started in mobilisation.events:
            uow.emit(
                contracts.MobilisationStarted(**vars(started)),
                community=mobilisation.community_code,
                correlation_id=event.correlationid,
            )
        await uow.commit()
