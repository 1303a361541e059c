"""The needs list (需求清单): record, match, meet, decline; and matching suggestions.

A need from an incident is a command a coordinator gives (`source_incident_id`), when the
community judges it cannot meet it alone; an escalation by itself never records one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal
from lianxin.errors import Conflict, NotFound
from resources.domain.matching import Suggestion, suggest
from resources.domain.needs import Need
from resources.service_layer.pipeline import (
    COORDINATORS,
    GRID,
    READERS,
    Clock,
    act,
    actor,
    communities_of,
    create,
    may,
    sees,
    utcnow,
)
from resources.service_layer.unit_of_work import ResourcesUnitOfWork


async def record_need(
    uow: ResourcesUnitOfWork, principal: Principal, fields: dict[str, Any], clock: Clock = utcnow
) -> Need:
    # A need from an incident is the coordinators' decision; grids record the rest.
    from_incident = fields.get("source_incident_id") is not None
    roles = COORDINATORS if from_incident else GRID

    async def record(u: ResourcesUnitOfWork, now: datetime) -> Need:
        if from_incident and await u.needs.from_incident(fields["source_incident_id"]):
            raise Conflict(f"incident {fields['source_incident_id']} already has its need")
        source = fields.pop("source", None) or ("incident" if from_incident else "resident")
        return Need.record(**fields, source=source, recorded_by=actor(principal), now=now)

    community = fields["community_code"]
    return await create(uow, principal, community, _needs, record, roles=roles, clock=clock)


def _needs(u: ResourcesUnitOfWork) -> Any:
    return u.needs


async def match_need(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    need_id: UUID,
    offer_ids: list[UUID],
    clock: Clock = utcnow,
) -> Need:
    async def command(need: Need, now: datetime) -> None:
        # Offers of communities the caller does not see do not exist for it (the same 404).
        locked = await uow.offers.lock(offer_ids)
        found = {o.id for o in locked if sees(principal, o.community_code)}
        missing = [str(o) for o in offer_ids if o not in found]
        if missing:
            raise NotFound("resource offer", ", ".join(missing))
        need.match(offer_ids, now)

    return await act(
        uow, principal, _needs, "need", need_id, command, roles=COORDINATORS, clock=clock
    )


async def meet_need(
    uow: ResourcesUnitOfWork, principal: Principal, need_id: UUID, note: str, clock: Clock = utcnow
) -> Need:
    return await act(
        uow,
        principal,
        _needs,
        "need",
        need_id,
        lambda need, now: need.meet(note, now),
        roles=COORDINATORS,
        clock=clock,
    )


async def decline_need(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    need_id: UUID,
    reason: str,
    clock: Clock = utcnow,
) -> Need:
    return await act(
        uow,
        principal,
        _needs,
        "need",
        need_id,
        lambda need, now: need.decline(reason, now),
        roles=COORDINATORS,
        clock=clock,
    )


async def list_needs(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[Need]:
    may(principal, READERS)
    communities = communities_of(principal, community_code)
    async with uow:
        return await uow.needs.in_communities(communities)


async def get_need(uow: ResourcesUnitOfWork, principal: Principal, need_id: UUID) -> Need:
    may(principal, READERS)
    async with uow:
        need = await uow.needs.get(need_id)
    if need is None or not sees(principal, need.community_code):
        raise NotFound("need", need_id)
    return need


async def suggestions(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    need_id: UUID,
    limit: int = 10,
    clock: Clock = utcnow,
) -> list[Suggestion]:
    """Ranked and explained: the need's community's offers and its alliance partners' the caller
    sees (another community's offer scores no place points)."""
    may(principal, COORDINATORS)
    need = await get_need(uow, principal, need_id)
    async with uow:
        offers = await uow.offers.in_communities(communities_of(principal, None))
    return suggest(need, offers, clock(), limit)
