"""Care visits from organisation's register, credited to the volunteers who did them.

One transaction per event: the inbox row (a redelivered event is acked and skipped), and for a
volunteer's visit the service and its points (`pipeline.credit_service`, once per source key,
so the same visit in a second event is paid once too). A visit that is nobody's volunteering
(a grid member, a family contact, a volunteer of another community) is remembered as handled.
A malformed event never gets here: the subscriber terminates it and it lands in the dead-letter
table.
"""

from __future__ import annotations

from uuid import UUID

from lianxin.auth import Principal
from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts.care import CareVisitRecorded
from volunteers.domain.accounts import Transfer
from volunteers.domain.care_services import SOURCE, care_service, earns
from volunteers.domain.records import ServiceDone
from volunteers.service_layer.pipeline import Clock, UoW, credit_service, utcnow, volunteer_for


async def credit_care_visit(
    uow: UoW, event: CloudEvent, data: EventData, consumer: str, clock: Clock = utcnow
) -> Transfer | None:
    """The visit's hours and points for its visitor, if she is a volunteer here; else nothing.
    The service is dated when the visit was done (its day's cap, its month's record)."""
    assert isinstance(data, CareVisitRecorded)
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return None
        volunteer = await uow.volunteers.by_account(data.visitor) if data.visitor else None
        if volunteer is None or not earns(volunteer, data.community_code, data.at):
            await uow.commit()  # remembered as handled: nobody here to credit
            return None
        service = care_service(data.visit_id, data.kind, data.minutes)
        made = await credit_service(
            uow,
            volunteer,
            kind=service.kind,
            hours=service.hours,
            flags=frozenset(),
            source_key=service.source_key,
            description=service.description,
            by="organisation",
            now=min(data.at, clock()),
            community=data.community_code,
            correlation_id=event.correlationid,
        )
        await uow.commit()
    return made


async def care_services_of(
    uow: UoW, principal: Principal, volunteer_id: UUID
) -> list[tuple[str, ServiceDone]]:
    """The volunteer's care services, newest first, each with the visit it was for: for her,
    and for those who see her profile."""
    async with uow:
        volunteer = await volunteer_for(uow, principal, volunteer_id)
        return await uow.ledger.services_from(volunteer.id, SOURCE)
