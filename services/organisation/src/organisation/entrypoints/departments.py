"""Routes: functional departments."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from lianxin.contracts import org
from organisation.entrypoints.deps import one, state, uow
from organisation.entrypoints.schemas import DepartmentIn, DepartmentPatch
from organisation.service_layer import departments
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter()


@router.post(
    "/departments", status_code=status.HTTP_201_CREATED, response_model=org.DepartmentState
)
async def register_department(body: DepartmentIn, uow: UoW = Depends(uow)):
    fields = body.model_dump(exclude_none=True)
    return state(await departments.register_department(uow, **fields))


@router.get("/departments", response_model=list[org.DepartmentState])
async def list_departments(
    category: str | None = None, include_retired: bool = False, uow: UoW = Depends(uow)
):
    async with uow:
        found = await uow.org.departments.list(categories=category, include_retired=include_retired)
        return [state(d) for d in found]


@router.get("/departments/{code}", response_model=org.DepartmentState)
async def get_department(code: str, uow: UoW = Depends(uow)):
    return state(await one(uow, "departments", code, "department"))


@router.patch("/departments/{code}", response_model=org.DepartmentState)
async def update_department(code: str, body: DepartmentPatch, uow: UoW = Depends(uow)):
    changes = body.model_dump(exclude_unset=True)
    if changes.get("sla"):
        changes["sla"] = body.sla.model_dump(exclude_none=True)  # type: ignore[union-attr]
    return state(await departments.update_department(uow, code, changes))


@router.post("/departments/{code}/retirement", response_model=org.DepartmentState)
async def retire_department(code: str, uow: UoW = Depends(uow)):
    return state(await departments.retire_department(uow, code))
