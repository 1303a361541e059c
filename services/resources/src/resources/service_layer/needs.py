"""The needs list (需求清单): record, match, meet, decline; and matching suggestions.

A need from an incident is a command a coordinator gives (`source_incident_id`), when the
community judges it cannot meet it alone; an escalation by itself never records one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal
from lianxin.errors import Conflict, RuleBroken
from resources.domain.matching import Suggestion, suggest
from resources.domain.needs import Need
from resources.service_layer.pipeline import (
    COORDINATORS,
    GRID,
    NEED,
    READERS,
    Clock,
    act,
    actor,
    communities_of,
    create,
    may,
    read_list,
    read_one,
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

    async def record(*, source: str | None = None, **given: Any) -> Need:
        # Inside the transaction `create` opens: the one need per incident is checked there.
        if from_incident and await uow.needs.from_incident(fields["source_incident_id"]):
            raise Conflict(f"incident {fields['source_incident_id']} already has its need")
        source = source or ("incident" if from_incident else "resident")
        return Need.record(**given, source=source)

    given = {**fields, "recorded_by": actor(principal)}
    return await create(uow, principal, NEED, record, given, roles=roles, clock=clock)


async def change_need(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    need_id: UUID,
    step: str,
    fields: dict[str, Any],
    clock: Clock = utcnow,
) -> Need:
    """One step of a need, the coordinators': match it to offers, meet it, decline it."""

    async def command(need: Need, now: datetime) -> None:
        if step == "match":
            # An offer the body names that is not there is the body's fault, not the need's:
            # 422 naming the field (a 404 would say the need is gone). Offers of communities
            # the caller does not see are not there for it (the same answer).
            offer_ids = fields["resource_offer_ids"]
            locked = await uow.offers.lock(offer_ids)
            found = {o.id for o in locked if sees(principal, o.community_code)}
            missing = [str(o) for o in offer_ids if o not in found]
            if missing:
                raise RuleBroken(
                    "resource_offer_ids",
                    f"no resource offer {', '.join(missing)}",
                    type_="unknown_offer",
                )
            need.match(offer_ids, now)
        elif step == "meet":
            need.meet(fields["note"], now)
        elif step == "decline":
            need.decline(fields["reason"], now)
        else:
            raise ValueError(step)

    return await act(uow, principal, NEED, need_id, command, roles=COORDINATORS, clock=clock)


async def list_needs(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[Need]:
    return await read_list(uow, principal, NEED, community_code, roles=READERS)


async def get_need(uow: ResourcesUnitOfWork, principal: Principal, need_id: UUID) -> Need:
    return await read_one(uow, principal, NEED, need_id, roles=READERS)


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
