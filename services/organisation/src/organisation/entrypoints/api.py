"""The organisation's HTTP API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from lianxin.contracts.org import GridNodeKind
from lianxin.problems import NotFound
from lianxin.service import Runtime, runtime
from organisation.service_layer import handlers
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork

CODE = r"^[a-z0-9][a-z0-9_-]*$"
router = APIRouter()


def uow(rt: Runtime = Depends(runtime)) -> OrganisationUnitOfWork:
    return rt.uow()  # type: ignore[return-value]


class CommunityIn(BaseModel):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=200)


class Community(CommunityIn):
    pass


class GridNodeIn(BaseModel):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: GridNodeKind
    community_code: str = Field(pattern=CODE, max_length=64)
    parent_code: str | None = Field(default=None, pattern=CODE, max_length=64)
    households: int = Field(default=0, ge=0)


class GridNode(GridNodeIn):
    path: list[str]


class DepartmentIn(BaseModel):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    categories: list[str] = Field(min_length=1)


class Department(DepartmentIn):
    pass


@router.post("/communities", status_code=status.HTTP_201_CREATED, response_model=Community)
async def register_community(body: CommunityIn, uow: OrganisationUnitOfWork = Depends(uow)):
    return await handlers.register_community(uow, body.code, body.name, body.street)


@router.get("/communities", response_model=list[Community])
async def list_communities(uow: OrganisationUnitOfWork = Depends(uow)):
    async with uow:
        return await uow.org.communities()


@router.get("/communities/{code}/grid-nodes", response_model=list[GridNode])
async def community_grid(code: str, uow: OrganisationUnitOfWork = Depends(uow)):
    async with uow:
        if await uow.org.community(code) is None:
            raise NotFound("community", code)
        return await uow.org.grid_nodes(code)


@router.post("/grid-nodes", status_code=status.HTTP_201_CREATED, response_model=GridNode)
async def register_grid_node(body: GridNodeIn, uow: OrganisationUnitOfWork = Depends(uow)):
    return await handlers.register_grid_node(
        uow, body.code, body.name, body.kind, body.community_code, body.parent_code, body.households
    )


@router.post("/departments", status_code=status.HTTP_201_CREATED, response_model=Department)
async def register_department(body: DepartmentIn, uow: OrganisationUnitOfWork = Depends(uow)):
    return await handlers.register_department(uow, body.code, body.name, body.categories)


@router.get("/departments", response_model=list[Department])
async def list_departments(uow: OrganisationUnitOfWork = Depends(uow)):
    async with uow:
        return await uow.org.departments()


@router.get("/departments/{code}", response_model=Department)
async def get_department(code: str, uow: OrganisationUnitOfWork = Depends(uow)):
    async with uow:
        department = await uow.org.department(code)
    if department is None:
        raise NotFound("department", code)
    return department
