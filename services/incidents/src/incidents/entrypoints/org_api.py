"""Incidents' read models of the organisation, as the console and forms need them."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from incidents.entrypoints.api import uow
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, authenticated
from lianxin.errors import NotFound

router = APIRouter()


@router.get("/departments")
async def departments(
    include_retired: bool = False,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> list[dict]:
    """The departments one may whistle to (incidents' read model of ORG): what each handles,
    where, through which channels, and its targets. A department's operator sees only its own."""
    async with uow:
        found = await uow.org.departments(include_retired)
    return [
        {
            "code": d.code,
            "name": d.name,
            "name_en": d.name_en,
            "categories": list(d.categories),
            "areas": d.areas,
            "channels": d.channels,
            "sla": d.sla,
            "version": d.version,
            "retired_at": d.retired_at,
        }
        for d in found
        if principal.role is not Role.DEPARTMENT_OPERATOR or principal.is_department(d.code)
    ]


@router.get("/grid-nodes")
async def grid_nodes(
    community_code: str | None = None,
    include_retired: bool = False,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> list[dict]:
    """The grid nodes the caller may report against (incidents' read model of ORG). A
    department's operator reads them all: its assignments come from anywhere, and its console
    names their places (a node's name and place in the tree; nobody's data)."""
    async with uow:
        found = await uow.org.grid_nodes(community_code, include_retired)
    everywhere = principal.role is Role.DEPARTMENT_OPERATOR
    return [
        {
            "code": n.code,
            "name": n.name,
            "kind": n.kind,
            "community_code": n.community_code,
            "parent_code": n.parent_code,
            "path": list(n.path),
            "addresses": list(n.addresses or []),
            "version": n.version,
            "retired_at": n.retired_at,
        }
        for n in found
        if everywhere or principal.sees_grid_node(n.path, n.community_code)
    ]


@router.get("/names")
async def names(
    uow: IncidentsUnitOfWork = Depends(uow), principal: Principal = Depends(authenticated)
) -> dict:
    """Every community's and department's name by code (incidents' read models of ORG), for
    whoever shows incidents to people: a place's or a department's name is no secret, and a
    department's operator, who reads neither organisation's places nor other departments, sees
    incidents whose timelines name them."""
    async with uow:
        places = await uow.org.communities()
        departments = await uow.org.departments(include_retired=True)
    return {
        "communities": {c.code: c.name for c in places},
        "departments": {d.code: {"name": d.name, "name_en": d.name_en} for d in departments},
    }


@router.get("/communities/{code}/partners")
async def alliance_partners(
    code: str,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> list[dict]:
    """The communities that share an alliance with `code`: those its incidents may be shared
    with. Asked by those who see `code`."""
    if not principal.sees_community(code):
        raise NotFound("community", code)
    async with uow:
        found = await uow.org.alliance_partners(code)
    return [{"code": c.code, "name": c.name} for c in found]
