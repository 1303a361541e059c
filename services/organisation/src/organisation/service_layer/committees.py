"""What the big committee and its member units need beyond the common pipeline: a committee is
registered under its community's path and checks its members against the community's units; a
rotating chair's terms never overlap; a member unit on the committee is not retired."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lianxin.errors import Conflict
from organisation.domain.committees import BigCommittee, MemberUnit
from organisation.service_layer.handlers import absent, found, publish, save
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW


async def units(uow: UoW, changes: dict[str, Any], community_code: str) -> dict[str, Any]:
    """The community's member units by code, retired ones too, to check members against."""
    found_units = await uow.org.member_units.list(
        community_code=community_code, include_retired=True
    )
    return {"units": {u.code: u for u in found_units}}


async def unit_off_committee(uow: UoW, unit: MemberUnit, now: datetime) -> None:
    """Not while it sits on the big committee or chairs now or later: change those first."""
    committee = await uow.org.big_committees.get(unit.community_code)
    if committee and committee.active and committee.uses(unit.code, now.date()):
        raise Conflict(f"member unit {unit.code} sits on or chairs the big committee")


async def register_big_committee(
    uow: UoW,
    community_code: str,
    secretary: dict[str, Any] | None,
    deputy: dict[str, Any] | None,
    members: list[dict[str, Any]],
) -> BigCommittee:
    async with uow:
        community = await found(uow.org.communities, community_code, "community")
        await absent(uow.org.big_committees, community_code, "the big committee of")
        known = (await units(uow, {}, community_code))["units"]
        committee = BigCommittee.register(community, known, secretary, deputy, members)
        await uow.org.big_committees.add(committee)
        await publish(uow, committee)
        await uow.commit()
    return committee


async def add_chair_term(
    uow: UoW, community_code: str, member_unit_code: str, starts_on: date, ends_on: date
) -> BigCommittee:
    """A rotating chair's term; terms of one committee never overlap."""
    async with uow:
        committee = await found(uow.org.big_committees, community_code, "big committee of")
        unit = await uow.org.member_units.get(member_unit_code)
        committee.add_chair_term(unit, starts_on, ends_on)
        await save(uow, uow.org.big_committees, committee)
    return committee
