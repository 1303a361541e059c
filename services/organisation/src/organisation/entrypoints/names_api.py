"""Names for codes (名录): a community and its member units, and the departments, code and name
only, retired ones too (old meetings and lists still name them).

Pages show a joint meeting's chair, who came and which departments were invited. Their reader
may not be allowed the full records (a department reads no community or member unit, and no
department but its own), so the names come from here rather than from `/communities`,
`/member-units` and `/departments`. Departments' names: anyone signed in (they are public
offices). A community's and its member units' names: whoever sees the community, and every
department, which serves every community and is invited to their joint meetings. Contacts,
channels and keys stay behind the other routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from lianxin.auth import Caller, Principal, Role
from lianxin.errors import NotFound
from organisation.domain.committees import MemberUnit
from organisation.domain.departments import Department
from organisation.domain.places import Community
from organisation.entrypoints.deps import uow
from organisation.entrypoints.schemas import CODE
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter(tags=["names"])
ROUTES = (("GET", "/names"),)  # checks its caller itself (access.py: own_checks)


class Named(BaseModel):
    code: str
    name: str
    name_en: str = ""
    retired: bool


class Names(BaseModel):
    community: Named | None  # those two only when `community_code` is asked
    member_units: list[Named]
    departments: list[Named]


def may_name(principal: Principal, community_code: str) -> bool:
    return principal.role is Role.DEPARTMENT_OPERATOR or principal.sees_community(community_code)


@router.get("/names", response_model=Names)
async def names(
    principal: Caller,
    uow: Annotated[UoW, Depends(uow)],
    community_code: Annotated[str | None, Query(pattern=CODE, max_length=64)] = None,
) -> dict:
    """The departments' names, and the names of `community_code` and its member units."""
    if community_code and not may_name(principal, community_code):
        raise NotFound("community", community_code)
    community, units = None, []
    async with uow:
        if community_code:
            community = await uow.org.communities.get(community_code)
            if community is None:
                raise NotFound("community", community_code)
            units = await uow.org.member_units.list(
                include_retired=True, community_code=community_code
            )
        departments = await uow.org.departments.list(include_retired=True)
    return {
        "community": _named(community) if community else None,
        "member_units": [_named(u) for u in units],
        "departments": [_named(d) for d in departments],
    }


def _named(aggregate: Community | MemberUnit | Department) -> dict:
    return {
        "code": aggregate.key,
        "name": aggregate.name,
        "name_en": getattr(aggregate, "name_en", ""),
        "retired": not aggregate.active,
    }
