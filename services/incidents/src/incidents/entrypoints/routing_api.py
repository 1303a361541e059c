"""An alliance's routing rules and service levels: read by its coordinators, edited by its admin."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from incidents.domain.routing import URGENCIES, RoutingRule, RoutingTable, ServiceLevel
from incidents.entrypoints.api import COORDINATORS, uow
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, require
from lianxin.errors import Forbidden, RuleBroken

router = APIRouter()


class RuleIO(BaseModel):
    category: str = Field(min_length=1, max_length=64)
    area: str = Field(min_length=1, max_length=64, description='a street or community code, or "*"')
    department_codes: list[str] = Field(min_length=1, max_length=20)


class ServiceLevelIO(BaseModel):
    acknowledge_minutes: int = Field(ge=1, le=7 * 24 * 60)
    resolve_hours: float = Field(gt=0, le=24 * 365)


class RoutingIO(BaseModel):
    alliance_code: str
    rules: list[RuleIO] = Field(max_length=1000)
    service_levels: dict[str, ServiceLevelIO]


async def _alliance(
    uow: IncidentsUnitOfWork, principal: Principal, alliance_code: str | None
) -> str:
    """The alliance asked for, if the caller belongs to it: its admin, or a coordinator of one
    of its communities. Without a code, the caller's own alliance."""
    if principal.is_platform:
        if not alliance_code:
            raise RuleBroken("alliance_code", "name the alliance")
        return alliance_code
    own = {principal.scope.alliance} - {None}
    if not own:
        async with uow:
            own = {await uow.org.alliance_of(c) for c in principal.scope.communities} - {None}
    code = alliance_code or (min(own) if own else None)
    if code is None:
        raise RuleBroken("alliance_code", "you belong to no alliance; name one")
    if code not in own:
        raise Forbidden(f"alliance {code} is not yours")
    return code


def _io(table: RoutingTable) -> RoutingIO:
    return RoutingIO(
        alliance_code=table.alliance_code,
        rules=[
            RuleIO(category=r.category, area=r.area, department_codes=list(r.department_codes))
            for r in table.rules.values()
        ],
        service_levels={
            urgency: ServiceLevelIO(
                acknowledge_minutes=int(level.acknowledge_within.total_seconds() // 60),
                resolve_hours=level.resolve_within.total_seconds() / 3600,
            )
            for urgency, level in table.service_levels.items()
        },
    )


@router.get("/routing", response_model=RoutingIO)
async def get_routing(
    alliance_code: str | None = Query(
        None,
        description="default: the caller's own alliance; required of the platform, which "
        "belongs to none (422 without it)",
    ),
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(*COORDINATORS)),
):
    """The alliance's rules (category × area → departments) and service levels by urgency."""
    code = await _alliance(uow, principal, alliance_code)
    async with uow:
        return _io(await uow.routing.table(code))


@router.put("/routing", response_model=RoutingIO)
async def put_routing(
    body: RoutingIO,
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(require(Role.ALLIANCE_ADMIN)),
):
    """Replace the alliance's rules and service levels; urgencies left out keep the defaults."""
    code = await _alliance(uow, principal, body.alliance_code)
    unknown = set(body.service_levels) - set(URGENCIES)
    if unknown:
        raise RuleBroken("service_levels", f"unknown urgencies: {', '.join(sorted(unknown))}")
    table = RoutingTable.with_rules(
        code,
        (RoutingRule(r.category, r.area, tuple(r.department_codes)) for r in body.rules),
    )
    for urgency, level in body.service_levels.items():
        table.set_service_level(
            urgency,
            ServiceLevel(
                timedelta(minutes=level.acknowledge_minutes),
                timedelta(hours=level.resolve_hours),
            ),
        )
    async with uow:
        await uow.routing.save(table)
        await uow.commit()
    return _io(table)
