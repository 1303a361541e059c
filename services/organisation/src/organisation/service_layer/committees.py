"""Member units, the big committee and its rotating chair."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lianxin.errors import Conflict
from organisation.domain.committees import BigCommittee, MemberUnit
from organisation.service_layer.handlers import (
    absent,
    found,
    named,
    publish,
    retire,
    rules,
    save,
    utcnow,
)
from organisation.service_layer.imports import Line, LineErrors, valid
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW


async def register_member_unit(
    uow: UoW,
    code: str,
    name: str,
    kind: str,
    community_code: str,
    relation: str,
    agreement: dict[str, Any] | None = None,
    liaisons: list[dict[str, Any]] | None = None,
) -> MemberUnit:
    async with uow:
        await absent(uow.org.member_units, code, "member unit")
        community = await named(uow.org.communities, community_code, "community", "community_code")
        with rules():
            unit = MemberUnit.register(
                code, name, kind, community, relation, agreement, liaisons or []
            )
        await uow.org.member_units.add(unit)
        await publish(uow, unit)
        await uow.commit()
    return unit


async def update_member_unit(uow: UoW, code: str, changes: dict[str, Any]) -> MemberUnit:
    async with uow:
        unit = await found(uow.org.member_units, code, "member unit")
        with rules():
            unit.ensure_active()
            unit.update(changes)
        await save(uow, uow.org.member_units, unit)
    return unit


async def retire_member_unit(uow: UoW, code: str, now: datetime | None = None) -> MemberUnit:
    """Not while it sits on the big committee or chairs now or later: change those first."""
    now = now or utcnow()
    async with uow:
        unit = await found(uow.org.member_units, code, "member unit")
        committee = await uow.org.big_committees.get(unit.community_code)
        if committee and committee.active and committee.uses(code, now.date()):
            raise Conflict(f"member unit {code} sits on or chairs the big committee")
        return await retire(uow, uow.org.member_units, code, "member unit", now)


async def import_member_units(uow: UoW, community_code: str, lines: list[Line]) -> list[MemberUnit]:
    """A community's member units in one transaction, all or nothing."""
    async with uow:
        community = await found(uow.org.communities, community_code, "community")
        errors = LineErrors(lines)
        rows = list(valid(lines))
        taken = await uow.org.member_units.exists(f["code"] for _, f in rows)
        seen: dict[str, int] = {}
        added: list[MemberUnit] = []
        for line, f in rows:
            code = f["code"]
            if code in seen or code in taken:
                where = f"line {seen[code]}" if code in seen else "registered"
                errors.add(line, "code", f"duplicate code {code}: already {where}", failed=False)
                continue
            seen[code] = line.number
            with errors.checking(line):
                added.append(
                    MemberUnit.register(
                        code,
                        f["name"],
                        f["kind"],
                        community,
                        f["relation"],
                        f.get("agreement"),
                        f.get("liaisons") or [],
                    )
                )
        errors.raise_any()
        await uow.org.member_units.add(*added)
        await publish(uow, *added)
        await uow.commit()
    return added


async def _units(uow: UoW, community_code: str) -> dict[str, MemberUnit]:
    units = await uow.org.member_units.list(community_code=community_code, include_retired=True)
    return {u.code: u for u in units}


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
        with rules():
            committee = BigCommittee.register(
                community, await _units(uow, community_code), secretary, deputy, members
            )
        await uow.org.big_committees.add(committee)
        await publish(uow, committee)
        await uow.commit()
    return committee


async def update_big_committee(
    uow: UoW, community_code: str, changes: dict[str, Any]
) -> BigCommittee:
    async with uow:
        committee = await found(uow.org.big_committees, community_code, "big committee of")
        with rules():
            committee.ensure_active()
            committee.update(changes, await _units(uow, community_code))
        await save(uow, uow.org.big_committees, committee)
    return committee


async def add_chair_term(
    uow: UoW, community_code: str, member_unit_code: str, starts_on: date, ends_on: date
) -> BigCommittee:
    """A rotating chair's term; terms of one committee never overlap."""
    async with uow:
        committee = await found(uow.org.big_committees, community_code, "big committee of")
        unit = await uow.org.member_units.get(member_unit_code)
        with rules():
            committee.add_chair_term(unit, starts_on, ends_on)
        await save(uow, uow.org.big_committees, committee)
    return committee


async def retire_big_committee(
    uow: UoW, community_code: str, now: datetime | None = None
) -> BigCommittee:
    async with uow:
        return await retire(
            uow, uow.org.big_committees, community_code, "big committee of", now or utcnow()
        )
