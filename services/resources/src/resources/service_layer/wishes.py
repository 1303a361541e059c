"""Micro-wishes (微心愿): 点单 record → 派单 publish → 接单 claim → deliver → 销单 close.

A claim is race-proof: the wish row is locked (`FOR UPDATE`) before the domain looks for a
claimant, so of two claims at once one wins and the other hears who has it (Conflict).
Claimants: a member unit (its liaison, or a coordinator on its behalf) or a party member (a
volunteer, who claims as itself).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal, Role
from lianxin.errors import Forbidden
from resources.domain.wishes import (
    Claimant,
    ClaimantKind,
    FulfilmentRate,
    MicroWish,
    PublicWish,
    RaisedWish,
    fulfilment_rate,
    raised_wishes,
    wish_board,
)
from resources.service_layer.pipeline import (
    COORDINATORS,
    GRID,
    LIAISON,
    READERS,
    WISH,
    Clock,
    act,
    actor,
    communities_of,
    create,
    liaison_unit,
    read_list,
    read_one,
    sees,
    utcnow,
)
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

CLAIMANTS = COORDINATORS | LIAISON | {Role.VOLUNTEER}


def claimant_for(principal: Principal, kind: str | None, claimant_id: str | None) -> Claimant:
    """Who the caller claims or delivers as: a liaison its unit, a volunteer itself, a
    coordinator whoever it names."""
    unit = liaison_unit(principal)
    if unit is not None:
        if (kind or "member_unit") != "member_unit" or (claimant_id or unit) != unit:
            raise Forbidden("a liaison claims for its own member unit only")
        return Claimant.of(ClaimantKind.MEMBER_UNIT.value, unit)
    if principal.role is Role.VOLUNTEER:
        if (kind or "party_member") != "party_member" or (claimant_id or principal.subject) != (
            principal.subject
        ):
            raise Forbidden("a volunteer claims as itself")
        return Claimant.of(ClaimantKind.PARTY_MEMBER.value, principal.subject)
    return Claimant.of(kind or "", claimant_id or "")


async def record_wish(
    uow: ResourcesUnitOfWork, principal: Principal, fields: dict[str, Any], clock: Clock = utcnow
) -> MicroWish:
    # A grid leader records for its grid (the nodes it serves), whose leader reads the resident.
    grid = principal.scope.grid_nodes if principal.role is Role.GRID_LEADER else ()
    given = {**fields, "recorded_by": actor(principal), "recorded_in": grid}
    return await create(uow, principal, WISH, MicroWish.record, given, roles=GRID, clock=clock)


async def change_wish(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    wish_id: UUID,
    step: str,
    fields: dict[str, Any],
    clock: Clock = utcnow,
) -> MicroWish:
    """One step of a wish: publish, claim, deliver, return, close, withdraw."""
    roles = CLAIMANTS if step in ("claim", "deliver") else GRID

    def command(wish: MicroWish, now: datetime) -> None:
        # Who claims or delivers is read after scope and role: outside them, the wish does not
        # exist, whatever the body names.
        if step in ("claim", "deliver"):
            who = claimant_for(principal, fields.get("claimant_kind"), fields.get("claimant_id"))
            if step == "claim":
                wish.claim(who, now)
            else:
                wish.deliver(who, now, fields.get("note", ""), fields.get("photo_ref"))
        elif step == "publish":
            wish.publish(now)
        elif step == "return":
            wish.return_delivery(fields["reason"], now)
        elif step == "close":
            wish.close(now)
        elif step == "withdraw":
            wish.withdraw(fields["reason"], now)
        else:
            raise ValueError(step)

    return await act(uow, principal, WISH, wish_id, command, roles=roles, clock=clock)


def reads_resident(principal: Principal, wish: MicroWish) -> bool:
    """The resident's name and contact are for the grid that recorded the wish (the leader of
    the grid it was recorded in, or of the wish's own node) and the community's coordinators,
    to confirm delivery with the resident; everyone else (other grids, liaisons, party members,
    the board) sees the wish and its grid only."""
    if not sees(principal, wish.community_code):
        return False
    if principal.role is Role.GRID_LEADER:
        grid = principal.scope.grid_nodes
        return wish.grid_node_code in grid or not grid.isdisjoint(wish.recorded_in)
    return principal.has_role(*COORDINATORS)


async def get_wish(uow: ResourcesUnitOfWork, principal: Principal, wish_id: UUID) -> MicroWish:
    """The grid's view of a wish in its communities; whether it shows the resident is
    `reads_resident`'s to say."""
    return await read_one(uow, principal, WISH, wish_id, roles=GRID)


async def board(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[PublicWish]:
    found = await read_list(uow, principal, WISH, community_code, roles=READERS)
    communities = communities_of(principal, community_code)
    return wish_board(
        found, communities if communities is not None else {w.community_code for w in found}
    )


async def list_wishes(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[MicroWish]:
    return await read_list(uow, principal, WISH, community_code, roles=GRID)


async def raised(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    community_code: str | None,
    clock: Clock = utcnow,
) -> list[RaisedWish]:
    return raised_wishes(await list_wishes(uow, principal, community_code), clock())


async def rate(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    community_code: str,
    start: datetime,
    end: datetime,
) -> FulfilmentRate:
    found = await read_list(uow, principal, WISH, community_code, roles=READERS)
    return fulfilment_rate(found, community_code, start, end)
