"""Names for codes (名录): a community's member units and the departments, code and name only,
retired ones too (old meetings and lists still name them).

Pages show a joint meeting's chair, who came and which departments were invited. Their reader
may not be allowed the full records (a department reads no member unit, and no department but
its own), so the names come from here rather than from `/member-units` and `/departments`.
Departments' names: anyone signed in (they are public offices). A community's member units'
names: whoever sees the community, and every department, which serves every community and is
invited to their joint meetings. Contacts, channels and keys stay behind the other routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from lianxin.auth import Caller, Principal, Role
from lianxin.errors import NotFound
from organisation.domain.committees import MemberUnit
from organisation.domain.departments import Department
from organisation.entrypoints.deps import uow
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter(tags=["names"])
ROUTES = (("GET", "/names"),)  # checks its caller itself (access.py: own_checks)
CODE = r"^[a-z0-9][a-z0-9_-]*$"


class Named(BaseModel):
    code: str
    name: str
    name_en: str = ""
    retired: bool


class Names(BaseModel):
    member_units: list[Named]  # empty unless `community_code` is asked
    departments: list[Named]


def may_name_units(principal: Principal, community_code: str) -> bool:
    return principal.role is Role.DEPARTMENT_OPERATOR or principal.sees_community(community_code)


@router.get("/names", response_model=Names)
async def names(
    principal: Caller,
    uow: Annotated[UoW, Depends(uow)],
    community_code: Annotated[str | None, Query(pattern=CODE, max_length=64)] = None,
) -> dict:
    """The departments' names, and the member units' names of `community_code` when given."""
    if community_code and not may_name_units(principal, community_code):
        raise NotFound("community", community_code)
    async with uow:
        units = (
            await uow.org.member_units.list(include_retired=True, community_code=community_code)
            if community_code
            else []
        )
        departments = await uow.org.departments.list(include_retired=True)
    return {
        "member_units": [_named(u) for u in units],
        "departments": [_named(d) for d in departments],
    }


def _named(aggregate: MemberUnit | Department) -> dict:
    return {
        "code": aggregate.key,
        "name": aggregate.name,
        "name_en": getattr(aggregate, "name_en", ""),
        "retired": not aggregate.active,
    }
