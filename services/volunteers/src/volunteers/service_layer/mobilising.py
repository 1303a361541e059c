"""Wartime mobilisation (应急动员): an escalation calls up the affected grid by priority.

Priority: the same micro-grid, then the grid, then the community; within a tier, matching
skills first (the escalation's category names the skill). Squads of `SQUAD_SIZE`, each led by
its first party member. The call-up a notification gateway takes carries where and whom: the
volunteer's contact only if they consented, masked otherwise. Closing turns time on site into
points, once per person (`mobilisation:<id>:<volunteer>`), in the closing transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal, Role
from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts import incidents as incident_events
from lianxin.errors import NotFound
from volunteers.domain import events
from volunteers.domain.mobilisation import Mobilisation, rank_candidates
from volunteers.domain.rules import flags_for
from volunteers.domain.volunteers import Volunteer, mask
from volunteers.service_layer.pipeline import (
    LOCAL,
    Clock,
    UoW,
    actor,
    as_volunteer_id,
    credit_service,
    keep,
    locked,
    require_coordinator,
    stage,
    utcnow,
)

# Ten-odd people is what one leader can direct on a flooded street; five keeps squads close.
SQUAD_SIZE = 5


def call_up_details(people: dict[UUID, Volunteer], m: Mobilisation) -> Any:
    """Where to go and whom to reach, for each call-up (contacts only with consent)."""

    def extra(event: object) -> dict[str, Any]:
        if not isinstance(event, events.MobilisationCalled):
            return {}
        v = people[event.volunteer_id]
        return {
            "community_code": m.community_code,
            "grid_code": m.grid_code,
            "name": v.name,
            "contact": v.contact if v.consent_to_contact else mask(v.contact),
            "consent_to_contact": v.consent_to_contact,
        }

    return extra


async def mobilise_for_emergency(
    uow: UoW, event: CloudEvent, data: EventData, consumer: str, clock: Clock = utcnow
) -> Mobilisation | None:
    """Only wartime escalations mobilise; peacetime ones are acknowledged and skipped."""
    assert isinstance(data, incident_events.IncidentEscalated)
    if not data.wartime:
        return None
    async with uow:
        # The inbox mark and the look for a mobilisation: one round trip.
        first_time, started = await uow.mobilisations.by_incident_once(
            data.incident_id, consumer, event.id
        )
        if not first_time:
            return None
        if started is not None:
            await uow.commit()  # the same incident escalated again: one mobilisation is enough
            return None
        now = clock()
        m = Mobilisation.start(data.incident_id, data.community_code, data.grid_path, now)
        people = {v.id: v for v in await uow.volunteers.in_community(data.community_code)}
        ranked = rank_candidates(
            people.values(), data.community_code, data.grid_path, [data.category]
        )
        if ranked:
            m.form_squads(ranked, SQUAD_SIZE, now)
        await uow.mobilisations.add(m)
        stage(
            uow,
            m,
            community=m.community_code,
            correlation_id=event.correlationid,
            extra=call_up_details(people, m),
        )
        await uow.commit()
    return m


def _for(principal: Principal, m: Mobilisation, volunteer_id: UUID) -> None:
    """A volunteer answers for themself; a coordinator records it for anyone."""
    if principal.role is Role.VOLUNTEER and as_volunteer_id(principal) == volunteer_id:
        return
    if principal.role is Role.VOLUNTEER:
        raise NotFound("call-up", volunteer_id)
    require_coordinator(principal, m.community_code, "mobilisation", m.id)


async def respond(
    uow: UoW,
    principal: Principal,
    mobilisation_id: UUID,
    volunteer_id: UUID,
    step: str,
    accepted: bool = True,
    clock: Clock = utcnow,
) -> Mobilisation:
    """answer (accept/decline), check_in (arrived on site), check_out (left)."""
    async with uow:
        m = await locked(uow.mobilisations.get, principal, "mobilisation", mobilisation_id)
        _for(principal, m, volunteer_id)
        now = clock()
        if step == "answer":
            m.answer(volunteer_id, accepted, now)
        elif step == "check_in":
            m.check_in(volunteer_id, now)
        else:
            m.check_out(volunteer_id, now)
        await keep(uow, uow.mobilisations.save, m, correlation_id=str(m.incident_id))
    return m


async def close(
    uow: UoW, principal: Principal, mobilisation_id: UUID, clock: Clock = utcnow
) -> Mobilisation:
    async with uow:
        m = await locked(uow.mobilisations.get, principal, "mobilisation", mobilisation_id)
        require_coordinator(principal, m.community_code, "mobilisation", mobilisation_id)
        await _close_and_pay(uow, m, clock(), actor(principal))
    return m


async def close_for_incident(
    uow: UoW, event: CloudEvent, data: EventData, consumer: str, clock: Clock = utcnow
) -> Mobilisation | None:
    """The incident closed (an event from incidents): its mobilisation closes and pays, once.
    One already closed by a coordinator, or none at all, is acknowledged and skipped."""
    assert isinstance(data, incident_events.IncidentClosed)
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return None
        found = await uow.mobilisations.by_incident(data.incident_id)
        m = await uow.mobilisations.get(found.id, for_update=True) if found else None
        if m is None or m.status != "active":
            await uow.commit()
            return None
        await _close_and_pay(uow, m, clock(), "incidents")
    return m


async def _close_and_pay(uow: UoW, m: Mobilisation, now: datetime, by: str) -> None:
    """Close it, then pay each person's time on site, and commit: one transaction, whoever
    closes it (a coordinator, or the incident's close)."""
    served = m.close(now)
    await uow.mobilisations.save(m)
    stage(uow, m, community=m.community_code, correlation_id=str(m.incident_id))
    flags = flags_for(m.started_at.astimezone(LOCAL), emergency=True)
    for volunteer_id, hours, key in served:
        volunteer = await uow.volunteers.get(volunteer_id)
        if volunteer is None:
            continue
        await credit_service(
            uow,
            volunteer,
            kind="emergency",
            hours=hours,
            flags=flags,
            source_key=key,
            description=f"应急动员 {m.grid_code}",
            by=by,
            now=now,
            community=m.community_code,
            correlation_id=str(m.incident_id),
        )
    await uow.commit()
