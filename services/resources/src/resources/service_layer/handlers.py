"""Resources' commands and event handlers."""

from __future__ import annotations

from datetime import UTC, datetime

from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts import incidents as incident_events
from lianxin.contracts import resources as contracts
from lianxin.persistence.unit_of_work import UnitOfWork
from resources.adapters.repository import NeedRepository
from resources.domain.model import Need


class ResourcesUnitOfWork(UnitOfWork):
    needs: NeedRepository

    def _open(self) -> None:
        self.needs = NeedRepository(self.session)


async def open_need_for_escalation(
    uow: ResourcesUnitOfWork, event: CloudEvent, data: EventData, consumer: str
) -> None:
    assert isinstance(data, incident_events.IncidentEscalated)
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return
        need = Need.from_escalation(
            data.incident_id,
            data.community_code,
            data.category,
            data.description,
            datetime.now(UTC),
        )
        await uow.needs.add(need)
        for opened in need.events:
            uow.emit(
                contracts.NeedOpened(**vars(opened)),
                community=need.community_code,
                correlation_id=event.correlationid,
            )
        await uow.commit()
