"""The three rates, their trend, and the departments' boards (what they hold, the red/black
list), each limited to what the caller oversees."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from incidents.adapters.facts import department_board, incident_facts, settlement_facts
from incidents.domain import rates as domain
from incidents.entrypoints.api import uow
from incidents.service_layer.pipeline import utcnow
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.auth import Principal, Role, authenticated, require
from lianxin.errors import RuleBroken

router = APIRouter()
Grouping = Literal["department", "community", "street"]


def _period(label: str, field: str) -> domain.Period:
    try:
        return domain.Period.parse(label)
    except ValueError as exc:
        raise RuleBroken(field, str(exc)) from exc


def _current_quarter() -> str:
    now = utcnow().astimezone(domain.SHANGHAI)
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"


def _last_four_quarters() -> str:
    year, quarter = (int(part) for part in _current_quarter().split("-Q"))
    labels = []
    for _ in range(4):
        labels.insert(0, f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return ",".join(labels)


async def _facts(
    uow: IncidentsUnitOfWork, periods: list[domain.Period], by: Grouping = "department"
) -> tuple[list[domain.IncidentFacts], list[domain.SettlementFacts]]:
    """The incidents' facts over the periods, and the deliberations' local resolutions (a
    community's and a street's, never a department's)."""
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    async with uow:
        incidents = await incident_facts(uow.session, start, end)
        settled = await settlement_facts(uow.session, start, end) if by != "department" else []
    return incidents, settled


async def _visible_keys(uow: IncidentsUnitOfWork, principal: Principal, by: Grouping):
    """None: everything (platform, alliance admin); else the keys the caller oversees."""
    if principal.is_platform or principal.role is Role.ALLIANCE_ADMIN:
        return None
    if principal.role is Role.DEPARTMENT_OPERATOR:
        return {principal.scope.department} if by == "department" else set()
    if by == "department":
        return None  # coordinators compare the departments that serve them
    if by == "community":
        return set(principal.scope.communities)
    async with uow:
        found = [await uow.org.community(code) for code in principal.scope.communities]
    return {c.street_code for c in found if c is not None}


def _out(r: domain.Rates) -> dict[str, Any]:
    return asdict(r)


@router.get("/rates")
async def get_rates(
    by: Grouping = "department",
    period: str = Query(default_factory=_current_quarter, description="YYYY-Qn or YYYY-MM"),
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> dict[str, Any]:
    """Response, resolution and satisfaction rates, on-time shares and times, per key.
    `counts.resolved_locally` counts a community's (street's) incidents resolved locally and
    the matters its deliberations settled; `counts.deliberated` the latter alone."""
    chosen = _period(period, "period")
    keys = await _visible_keys(uow, principal, by)
    facts, settled = await _facts(uow, [chosen], by)
    found = domain.rates(facts, by, chosen, settled)
    return {
        "period": chosen.label,
        "by": by,
        "rates": [_out(r) for r in found if keys is None or r.key in keys],
    }


@router.get("/rates/trend")
async def get_trend(
    key: str,
    periods: str = Query(
        default_factory=_last_four_quarters,
        description="comma-separated YYYY-MM or YYYY-Qn, oldest first (default: the last four "
        "quarters, this one included)",
    ),
    by: Grouping = "community",
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(authenticated),
) -> dict[str, Any]:
    """One key's rates period by period, for the dashboards' charts."""
    labels = [p.strip() for p in periods.split(",") if p.strip()]
    if not labels or len(labels) > 36:
        raise RuleBroken("periods", "name 1 to 36 periods")
    chosen = [_period(label, "periods") for label in labels]
    keys = await _visible_keys(uow, principal, by)
    if keys is not None and key not in keys:
        raise RuleBroken("key", f"{key} is not one you oversee")
    facts, settled = await _facts(uow, chosen, by)
    series = domain.trend(facts, by, key, labels, settled)
    return {"by": by, "key": key, "series": [_out(r) for r in series]}


@router.get("/boards/departments")
async def departments_board(
    quarter: str = Query(default_factory=_current_quarter),
    k: int = Query(default=3, ge=1, le=20),
    uow: IncidentsUnitOfWork = Depends(uow),
    principal: Principal = Depends(
        require(Role.ALLIANCE_ADMIN, Role.STREET_COORDINATOR, Role.COMMUNITY_COORDINATOR)
    ),
) -> dict[str, Any]:
    """What each department holds and has overdue now, where its breaches stand on the ladder,
    and the quarter's red/black list."""
    _period(quarter, "quarter")
    facts, _ = await _facts(uow, [_period(quarter, "quarter")])
    try:
        listed = domain.red_black_list(facts, quarter, k=k, now=utcnow())
    except ValueError as exc:
        raise RuleBroken("quarter", str(exc)) from exc
    async with uow:
        holding = await department_board(uow.session, utcnow())
    return {
        "quarter": quarter,
        "holding": holding,
        "red": [asdict(r) for r in listed.red],
        "black": [asdict(r) for r in listed.black],
        "ranking": [asdict(r) for r in listed.ranking],
        "unranked": [_out(r) for r in listed.unranked],
    }
