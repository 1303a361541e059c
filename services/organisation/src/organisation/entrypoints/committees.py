"""Routes: a community's big committee and its rotating chair, under the community's path."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, status

from lianxin.errors import NotFound
from organisation.domain.committees import BigCommittee
from organisation.entrypoints.deps import state, uow
from organisation.entrypoints.schemas import (
    BigCommitteeIn,
    BigCommitteeOut,
    BigCommitteePatch,
    ChairTermIn,
)
from organisation.service_layer import committees, handlers
from organisation.service_layer.aggregates import BIG_COMMITTEES
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter()
CREATED = status.HTTP_201_CREATED


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
    async with uow:
        committee = await uow.org.big_committees.get(code)
    if committee is None:
        raise NotFound("big committee of", code)
    return committee_out(committee)


@router.patch("/communities/{code}/big-committee", response_model=BigCommitteeOut)
async def update_big_committee(code: str, body: BigCommitteePatch, uow: UoW = Depends(uow)):
    changes = body.model_dump(exclude_unset=True)
    return committee_out(await handlers.update(uow, BIG_COMMITTEES, code, changes))


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
    return committee_out(await handlers.retire(uow, BIG_COMMITTEES, code))  # type: ignore[arg-type]
