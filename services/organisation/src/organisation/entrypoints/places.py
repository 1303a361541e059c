"""Routes: districts, streets, communities, alliances."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from lianxin.contracts import org
from organisation.entrypoints.deps import counts, one, state, uow
from organisation.entrypoints.schemas import (
    AllianceIn,
    AlliancePatch,
    CommunityIn,
    CommunityOut,
    CommunityPatch,
    DistrictIn,
    DistrictPatch,
    StreetIn,
    StreetPatch,
)
from organisation.service_layer import places
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter()
CREATED = status.HTTP_201_CREATED


@router.post("/districts", status_code=CREATED, response_model=org.DistrictState)
async def register_district(body: DistrictIn, uow: UoW = Depends(uow)):
    return state(await places.register_district(uow, **body.model_dump()))


@router.get("/districts", response_model=list[org.DistrictState])
async def list_districts(include_retired: bool = False, uow: UoW = Depends(uow)):
    async with uow:
        return [state(d) for d in await uow.org.districts.list(include_retired=include_retired)]


@router.get("/districts/{code}", response_model=org.DistrictState)
async def get_district(code: str, uow: UoW = Depends(uow)):
    return state(await one(uow, "districts", code, "district"))


@router.patch("/districts/{code}", response_model=org.DistrictState)
async def update_district(code: str, body: DistrictPatch, uow: UoW = Depends(uow)):
    return state(await places.update_district(uow, code, body.model_dump(exclude_unset=True)))


@router.post("/districts/{code}/retirement", response_model=org.DistrictState)
async def retire_district(code: str, uow: UoW = Depends(uow)):
    return state(await places.retire_place(uow, "district", code))


@router.post("/streets", status_code=CREATED, response_model=org.StreetState)
async def register_street(body: StreetIn, uow: UoW = Depends(uow)):
    return state(await places.register_street(uow, **body.model_dump()))


@router.get("/streets", response_model=list[org.StreetState])
async def list_streets(
    district_code: str | None = None, include_retired: bool = False, uow: UoW = Depends(uow)
):
    async with uow:
        found = await uow.org.streets.list(
            district_code=district_code, include_retired=include_retired
        )
        return [state(s) for s in found]


@router.get("/streets/{code}", response_model=org.StreetState)
async def get_street(code: str, uow: UoW = Depends(uow)):
    return state(await one(uow, "streets", code, "street"))


@router.patch("/streets/{code}", response_model=org.StreetState)
async def update_street(code: str, body: StreetPatch, uow: UoW = Depends(uow)):
    return state(await places.update_street(uow, code, body.model_dump(exclude_unset=True)))


@router.post("/streets/{code}/retirement", response_model=org.StreetState)
async def retire_street(code: str, uow: UoW = Depends(uow)):
    return state(await places.retire_place(uow, "street", code))


@router.post("/communities", status_code=CREATED, response_model=CommunityOut)
async def register_community(body: CommunityIn, uow: UoW = Depends(uow)):
    return state(await places.register_community(uow, **body.model_dump()), totals=counts(None))


@router.get("/communities", response_model=list[CommunityOut])
async def list_communities(
    street_code: str | None = None,
    district_code: str | None = None,
    include_retired: bool = False,
    uow: UoW = Depends(uow),
):
    async with uow:
        found = await uow.org.communities.list(
            street_code=street_code, district_code=district_code, include_retired=include_retired
        )
        totals = await uow.org.community_totals()
        return [state(c, totals=counts(totals.get(c.code))) for c in found]


@router.get("/communities/{code}", response_model=CommunityOut)
async def get_community(code: str, uow: UoW = Depends(uow)):
    community = await one(uow, "communities", code, "community")
    async with uow:
        totals = await uow.org.community_totals(code)
    return state(community, totals=counts(totals.get(code)))


@router.patch("/communities/{code}", response_model=CommunityOut)
async def update_community(code: str, body: CommunityPatch, uow: UoW = Depends(uow)):
    community = await places.update_community(uow, code, body.model_dump(exclude_unset=True))
    return await get_community(community.code, uow)


@router.post("/communities/{code}/retirement", response_model=CommunityOut)
async def retire_community(code: str, uow: UoW = Depends(uow)):
    return state(await places.retire_place(uow, "community", code), totals=counts(None))


@router.post("/alliances", status_code=CREATED, response_model=org.AllianceState)
async def register_alliance(body: AllianceIn, uow: UoW = Depends(uow)):
    return state(await places.register_alliance(uow, **body.model_dump()))


@router.get("/alliances", response_model=list[org.AllianceState])
async def list_alliances(
    community_code: str | None = None, include_retired: bool = False, uow: UoW = Depends(uow)
):
    async with uow:
        found = await uow.org.alliances.list(
            community_codes=community_code, include_retired=include_retired
        )
        return [state(a) for a in found]


@router.get("/alliances/{code}", response_model=org.AllianceState)
async def get_alliance(code: str, uow: UoW = Depends(uow)):
    return state(await one(uow, "alliances", code, "alliance"))


@router.patch("/alliances/{code}", response_model=org.AllianceState)
async def update_alliance(code: str, body: AlliancePatch, uow: UoW = Depends(uow)):
    return state(await places.update_alliance(uow, code, body.model_dump(exclude_unset=True)))


@router.post("/alliances/{code}/retirement", response_model=org.AllianceState)
async def retire_alliance(code: str, uow: UoW = Depends(uow)):
    return state(await places.retire_place(uow, "alliance", code))
