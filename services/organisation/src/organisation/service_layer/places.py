"""Districts, streets, communities and alliances."""

from __future__ import annotations

from typing import Any

from organisation.domain.places import Alliance, Community, District, Street
from organisation.service_layer.handlers import (
    absent,
    all_named,
    found,
    named,
    publish,
    retire,
    rules,
    save,
    utcnow,
)
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW


async def register_district(uow: UoW, code: str, name: str, city: str) -> District:
    async with uow:
        await absent(uow.org.districts, code, "district")
        with rules():
            district = District.register(code, name, city)
        await uow.org.districts.add(district)
        await publish(uow, district)
        await uow.commit()
    return district


async def update_district(uow: UoW, code: str, changes: dict[str, Any]) -> District:
    async with uow:
        district = await found(uow.org.districts, code, "district")
        with rules():
            district.ensure_active()
            district.update(**changes)
        await save(uow, uow.org.districts, district)
    return district


async def register_street(uow: UoW, code: str, name: str, district_code: str) -> Street:
    async with uow:
        await absent(uow.org.streets, code, "street")
        district = await named(uow.org.districts, district_code, "district", "district_code")
        with rules():
            street = Street.register(code, name, district)  # type: ignore[arg-type]
        await uow.org.streets.add(street)
        await publish(uow, street)
        await uow.commit()
    return street


async def update_street(uow: UoW, code: str, changes: dict[str, Any]) -> Street:
    async with uow:
        street = await found(uow.org.streets, code, "street")
        with rules():
            street.ensure_active()
            street.update(**changes)
        await save(uow, uow.org.streets, street)
    return street


async def register_community(
    uow: UoW, code: str, name: str, street_code: str, area_km2: float | None = None
) -> Community:
    async with uow:
        await absent(uow.org.communities, code, "community")
        street = await named(uow.org.streets, street_code, "street", "street_code")
        with rules():
            community = Community.register(code, name, street, area_km2)  # type: ignore[arg-type]
        await uow.org.communities.add(community)
        await publish(uow, community)
        await uow.commit()
    return community


async def update_community(uow: UoW, code: str, changes: dict[str, Any]) -> Community:
    async with uow:
        community = await found(uow.org.communities, code, "community")
        street = await named(uow.org.streets, changes.get("street_code"), "street", "street_code")
        with rules():
            community.ensure_active()
            community.update(changes, street)
        await save(uow, uow.org.communities, community)
    return community


async def register_alliance(
    uow: UoW,
    code: str,
    name: str,
    community_codes: list[str],
    branch_unit_codes: list[str],
    mechanisms: list[str],
) -> Alliance:
    async with uow:
        await absent(uow.org.alliances, code, "alliance")
        communities = await all_named(
            uow.org.communities, community_codes, "community", "community_codes"
        )
        branches = await all_named(
            uow.org.member_units, branch_unit_codes, "member unit", "branch_unit_codes"
        )
        with rules():
            alliance = Alliance.register(code, name, communities, branches, mechanisms)
        await uow.org.alliances.add(alliance)
        await publish(uow, alliance)
        await uow.commit()
    return alliance


async def update_alliance(uow: UoW, code: str, changes: dict[str, Any]) -> Alliance:
    async with uow:
        alliance = await found(uow.org.alliances, code, "alliance")
        communities = branches = None
        if changes.get("community_codes") is not None:
            communities = await all_named(
                uow.org.communities, changes["community_codes"], "community", "community_codes"
            )
        if changes.get("branch_unit_codes") is not None:
            branches = await all_named(
                uow.org.member_units,
                changes["branch_unit_codes"],
                "member unit",
                "branch_unit_codes",
            )
        with rules():
            alliance.ensure_active()
            alliance.update(changes.get("name"), communities, branches, changes.get("mechanisms"))
        await save(uow, uow.org.alliances, alliance)
    return alliance


async def retire_place(uow: UoW, aggregate: str, code: str, now=None):
    """Retire a district, street, community or alliance nothing active still refers to."""
    async with uow:
        store = {
            "district": uow.org.districts,
            "street": uow.org.streets,
            "community": uow.org.communities,
            "alliance": uow.org.alliances,
        }[aggregate]
        return await retire(uow, store, code, aggregate, now or utcnow())
