"""The deadline timers: claimed rows wake their incidents, which climb the ladder as due."""

from __future__ import annotations

from datetime import datetime

from incidents.service_layer.pipeline import in_incident_trace, stage
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork


async def fire_due_timers(uow: IncidentsUnitOfWork, now: datetime, limit: int = 50) -> int:
    """Claim the due deadline timers (SKIP LOCKED: each fires on one replica, once) and let each
    incident take the ladder steps due. Returns how many steps were taken."""
    taken = 0
    async with uow:
        for timer in await uow.incidents.claim_due_timers(now, limit):
            incident = await uow.incidents.get(timer.incident_id, for_update=True)
            if incident is None:
                continue
            with in_incident_trace(incident, "deadline fired"):
                taken += incident.on_timer(timer.assignment_id, timer.kind, now)
                await stage(uow, incident)
        await uow.commit()
    return taken
