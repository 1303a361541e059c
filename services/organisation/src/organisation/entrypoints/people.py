"""Routes: party organisations on the tree, and people with their posts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status

from lianxin.contracts import org
from organisation.entrypoints.deps import json_import, one, state, uow
from organisation.entrypoints.imports import read_lines
from organisation.entrypoints.schemas import (
    Imported,
    PartyOrganisationFields,
    PartyOrganisationIn,
    PartyOrganisationPatch,
    PersonFields,
    PersonIn,
    PersonOut,
    PersonPatch,
)
from organisation.service_layer import people
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter()
CREATED = status.HTTP_201_CREATED


@router.post("/party-organisations", status_code=CREATED, response_model=org.PartyOrganisationState)
async def register_party_organisation(body: PartyOrganisationIn, uow: UoW = Depends(uow)):
    return state(await people.register_party_organisation(uow, **body.model_dump()))


@router.get("/party-organisations", response_model=list[org.PartyOrganisationState])
async def list_party_organisations(
    community_code: str | None = None,
    kind: str | None = None,
    node_code: str | None = None,
    include_retired: bool = False,
    uow: UoW = Depends(uow),
):
    async with uow:
        found = await uow.org.party_organisations.list(
            community_code=community_code,
            kind=kind,
            node_codes=node_code,
            include_retired=include_retired,
        )
        return [state(o) for o in found]


@router.post(
    "/communities/{code}/party-organisations/import",
    status_code=CREATED,
    response_model=Imported,
    openapi_extra=json_import(PartyOrganisationFields),
)
async def import_party_organisations(code: str, request: Request, uow: UoW = Depends(uow)):
    """A community's party organisations as a JSON array (or CSV, `node_codes` split by `;`);
    all or nothing, errors by line and field."""
    lines = await read_lines(request, PartyOrganisationFields)
    added = await people.import_party_organisations(uow, code, lines)
    return Imported(community_code=code, created=len(added), codes=[o.code for o in added])


@router.get("/party-organisations/{code}", response_model=org.PartyOrganisationState)
async def get_party_organisation(code: str, uow: UoW = Depends(uow)):
    return state(await one(uow, "party_organisations", code, "party organisation"))


@router.patch("/party-organisations/{code}", response_model=org.PartyOrganisationState)
async def update_party_organisation(
    code: str, body: PartyOrganisationPatch, uow: UoW = Depends(uow)
):
    changes = body.model_dump(exclude_unset=True)
    return state(await people.update_party_organisation(uow, code, changes))


@router.post("/party-organisations/{code}/retirement", response_model=org.PartyOrganisationState)
async def retire_party_organisation(code: str, uow: UoW = Depends(uow)):
    return state(await people.retire_party_organisation(uow, code))


@router.post("/people", status_code=CREATED, response_model=PersonOut)
async def register_person(body: PersonIn, uow: UoW = Depends(uow)):
    return state(await people.register_person(uow, **body.model_dump()))


@router.get("/people", response_model=list[PersonOut])
async def list_people(
    community_code: str | None = None,
    node_code: str | None = None,
    party_member_kind: str | None = None,
    include_retired: bool = False,
    uow: UoW = Depends(uow),
):
    async with uow:
        found = await uow.org.people.list(
            community_code=community_code,
            node_code=node_code,
            party_member_kind=party_member_kind,
            include_retired=include_retired,
        )
        return [state(p) for p in found]


@router.post(
    "/communities/{code}/people/import",
    status_code=CREATED,
    response_model=Imported,
    openapi_extra=json_import(PersonFields),
)
async def import_people(code: str, request: Request, uow: UoW = Depends(uow)):
    """A community's people and their posts as a JSON array; all or nothing."""
    lines = await read_lines(request, PersonFields)
    added = await people.import_people(uow, code, lines)
    return Imported(community_code=code, created=len(added), codes=[p.code for p in added])


@router.get("/grid-nodes/{code}/posts", response_model=list[PersonOut])
async def posts(code: str, role: str | None = None, uow: UoW = Depends(uow)):
    """Who holds the node's posts now (一长六员 of a micro-grid, a building's or unit's leader)."""
    async with uow:
        return [state(p) for p in await uow.org.people.holding(code, role)]


@router.get("/people/{code}", response_model=PersonOut)
async def get_person(code: str, uow: UoW = Depends(uow)):
    return state(await one(uow, "people", code, "person"))


@router.patch("/people/{code}", response_model=PersonOut)
async def update_person(code: str, body: PersonPatch, uow: UoW = Depends(uow)):
    return state(await people.update_person(uow, code, body.model_dump(exclude_unset=True)))


@router.post("/people/{code}/retirement", response_model=PersonOut)
async def retire_person(code: str, uow: UoW = Depends(uow)):
    return state(await people.retire_person(uow, code))
