"""The resources list (资源清单): a member unit files, refreshes, withdraws and uses its offers;
the stale-list reminder; and, in wartime, the emergency offers put before the coordinator."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal
from lianxin.contracts import CloudEvent
from lianxin.contracts.incidents import IncidentEscalated
from lianxin.errors import NotFound
from resources.domain import events
from resources.domain.resources import ResourceOffer, StaleList, emergency_offers, stale_lists
from resources.service_layer.pipeline import (
    COORDINATORS,
    LIAISON,
    OFFER,
    Clock,
    act,
    acts_for_unit,
    create,
    may,
    only_own_unit,
    own_unit,
    read_list,
    sees,
    utcnow,
)
from resources.service_layer.published import as_contract
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

UNIT_ACTORS = COORDINATORS | LIAISON


def _for_own_unit(principal: Principal, offer: ResourceOffer) -> None:
    if not acts_for_unit(principal, offer.member_unit_code):
        raise NotFound("resource offer", offer.id)


async def file_offer(
    uow: ResourcesUnitOfWork, principal: Principal, fields: dict[str, Any], clock: Clock = utcnow
) -> ResourceOffer:
    may(principal, UNIT_ACTORS)  # the role before anything the body says
    given = {**fields, "member_unit_code": own_unit(principal, fields.get("member_unit_code"))}
    return await create(
        uow, principal, OFFER, ResourceOffer.file, given, roles=UNIT_ACTORS, clock=clock
    )


async def change_offer(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    offer_id: UUID,
    step: str,
    fields: dict[str, Any],
    clock: Clock = utcnow,
) -> ResourceOffer:
    """One step on an offer of the caller's own unit (a coordinator's: any unit's): refresh
    what `fields` names, withdraw it, use some of it."""

    def command(offer: ResourceOffer, now: datetime) -> None:
        if step == "refresh":
            offer.refresh(now, **fields)
        elif step == "withdraw":
            offer.withdraw(now)
        elif step == "use":
            offer.use(fields["quantity"], fields["purpose"], now, fields.get("reference_id"))
        else:
            raise ValueError(step)

    return await act(
        uow,
        principal,
        OFFER,
        offer_id,
        command,
        roles=UNIT_ACTORS,
        check=_for_own_unit,
        clock=clock,
    )


async def list_offers(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[ResourceOffer]:
    found = await read_list(uow, principal, OFFER, community_code, roles=UNIT_ACTORS)
    return only_own_unit(principal, found, lambda o: o.member_unit_code)  # a liaison: its own list


async def stale(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    community_code: str,
    member_unit_codes: list[str],
    clock: Clock = utcnow,
) -> list[StaleList]:
    """The units whose list wants its half-yearly refresh: those named (organisation knows the
    community's member units) and every unit that has filed here."""
    may(principal, COORDINATORS | LIAISON)
    offers = await list_offers(uow, principal, community_code)
    units = list(dict.fromkeys([*member_unit_codes, *(o.member_unit_code for o in offers)]))
    units = only_own_unit(principal, units, str)
    return stale_lists(units, offers, clock())


# In an emergency (战时): a wartime escalation puts the emergency offers before the coordinator


async def offer_for_emergency(
    uow: ResourcesUnitOfWork,
    event: CloudEvent,
    escalated: IncidentEscalated,
    consumer: str,
    clock: Clock = utcnow,
) -> None:
    """Wartime: record which offers are available for this incident, once however often the
    escalation arrives. Peacetime: nothing (a need from an incident is a coordinator's call)."""
    if not escalated.wartime:
        return
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return
        now = clock()
        found = emergency_offers(
            await uow.offers.in_communities({escalated.community_code}),
            [escalated.community_code],
            now,
        )
        ids = tuple(o.id for o in found)
        await uow.emergency.record(escalated.incident_id, escalated.community_code, ids, now)
        made = events.EmergencyOffersMade(escalated.incident_id, escalated.community_code, ids, now)
        uow.emit(
            as_contract(made),
            community=escalated.community_code,
            correlation_id=event.correlationid,
        )
        await uow.commit()


async def offers_for_incident(
    uow: ResourcesUnitOfWork, principal: Principal, incident_id: UUID
) -> list[tuple[ResourceOffer, int]]:
    """The emergency offers made for an incident, with how much of each was used for it."""
    may(principal, COORDINATORS)
    async with uow:
        rows = await uow.emergency.for_incident(incident_id)
        # None made (peacetime, or no unit marked anything): an empty list, which tells nothing
        # about another community; once made, they are its community's only.
        if rows and not sees(principal, rows[0].community_code):
            raise NotFound("incident", incident_id)
        offers = {o.id: o for o in await uow.offers.many(r.offer_id for r in rows)}
    return [(offers[r.offer_id], r.used) for r in rows]


async def use_for_emergency(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    incident_id: UUID,
    offer_id: UUID,
    quantity: int,
    purpose: str,
    clock: Clock = utcnow,
) -> ResourceOffer:
    """The coordinator used an offered resource for the incident: the offer shows what is left,
    the incident's list what was used."""
    may(principal, COORDINATORS)

    async def command(offer: ResourceOffer, now: datetime) -> None:
        offer.use(quantity, purpose, now, incident_id)
        if not await uow.emergency.add_use(incident_id, offer_id, quantity):
            raise NotFound("emergency offer", f"{offer_id} for incident {incident_id}")

    return await act(uow, principal, OFFER, offer_id, command, roles=COORDINATORS, clock=clock)
