"""Routes: member units, a community's big committee and its rotating chair."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request, status

from organisation.domain.committees import BigCommittee
from organisation.entrypoints.deps import json_import, one, state, uow
from organisation.entrypoints.imports import read_lines
from organisation.entrypoints.schemas import (
    BigCommitteeIn,
    BigCommitteeOut,
    BigCommitteePatch,
    ChairTermIn,
    Imported,
    MemberUnitFields,
    MemberUnitIn,
    MemberUnitOut,
    MemberUnitPatch,
)
from organisation.service_layer import committees
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter()
CREATED = status.HTTP_201_CREATED


@router.post("/member-units", status_code=CREATED, response_model=MemberUnitOut)
async def register_member_unit(body: MemberUnitIn, uow: UoW = Depends(uow)):
    return state(await committees.register_member_unit(uow, **body.model_dump()))


@router.get("/member-units", response_model=list[MemberUnitOut])
async def list_member_units(
    community_code: str | None = None,
    kind: str | None = None,
    relation: str | None = None,
    include_retired: bool = False,
    uow: UoW = Depends(uow),
):
    async with uow:
        found = await uow.org.member_units.list(
            community_code=community_code,
            kind=kind,
            relation=relation,
            include_retired=include_retired,
        )
        return [state(u) for u in found]


@router.post(
    "/communities/{code}/member-units/import",
    status_code=CREATED,
    response_model=Imported,
    openapi_extra=json_import(MemberUnitFields),
)
async def import_member_units(code: str, request: Request, uow: UoW = Depends(uow)):
    """A community's member units as a JSON array; all or nothing, errors by line and field."""
    lines = await read_lines(request, MemberUnitFields)
    added = await committees.import_member_units(uow, code, lines)
    return Imported(community_code=code, created=len(added), codes=[u.code for u in added])


@router.get("/member-units/{code}", response_model=MemberUnitOut)
async def get_member_unit(code: str, uow: UoW = Depends(uow)):
    return state(await one(uow, "member_units", code, "member unit"))


@router.patch("/member-units/{code}", response_model=MemberUnitOut)
async def update_member_unit(code: str, body: MemberUnitPatch, uow: UoW = Depends(uow)):
    changes = body.model_dump(exclude_unset=True)
    return state(await committees.update_member_unit(uow, code, changes))


@router.post("/member-units/{code}/retirement", response_model=MemberUnitOut)
async def retire_member_unit(code: str, uow: UoW = Depends(uow)):
    return state(await committees.retire_member_unit(uow, code))


def committee_out(committee: BigCommittee) -> dict:
    chair = committee.chair_on(date.today())
    return state(committee, current_chair=vars(chair) if chair else None)


@router.post(
    "/communities/{code}/big-committee", status_code=CREATED, response_model=BigCommitteeOut
)
async def register_big_committee(code: str, body: BigCommitteeIn, uow: UoW = Depends(uow)):
    return committee_out(await committees.register_big_committee(uow, code, **body.model_dump()))


@router.get("/communities/{code}/big-committee", response_model=BigCommitteeOut)
async def get_big_committee(code: str, uow: UoW = Depends(uow)):
    return committee_out(await one(uow, "big_committees", code, "big committee of"))  # type: ignore[arg-type]


@router.patch("/communities/{code}/big-committee", response_model=BigCommitteeOut)
async def update_big_committee(code: str, body: BigCommitteePatch, uow: UoW = Depends(uow)):
    changes = body.model_dump(exclude_unset=True)
    return committee_out(await committees.update_big_committee(uow, code, changes))


@router.post(
    "/communities/{code}/big-committee/chair-terms",
    status_code=CREATED,
    response_model=BigCommitteeOut,
)
async def add_chair_term(code: str, body: ChairTermIn, uow: UoW = Depends(uow)):
    """A rotating chair's term (轮值主席); terms never overlap."""
    return committee_out(await committees.add_chair_term(uow, code, **body.model_dump()))


@router.post("/communities/{code}/big-committee/retirement", response_model=BigCommitteeOut)
async def retire_big_committee(code: str, uow: UoW = Depends(uow)):
    return committee_out(await committees.retire_big_committee(uow, code))
