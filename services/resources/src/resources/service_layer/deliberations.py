"""Residents' deliberation (议事): record a meeting, step by step, close its record, then turn each
agreed item into a need, an incident or a local resolution.

Who may do what:
- the community's coordinators hold and record deliberations at every level;
- a grid leader holds building and area meetings (bench and yard meetings, a mediation at those
  levels) for its grid, and goes on only with what its grid recorded; a residents' council is the
  community's (403);
- who may read the community's lists reads its deliberations (coordinators, grid leaders,
  member-unit liaisons, whose units sit at them); a department, a volunteer or anyone of another
  community finds none (404).

A need is recorded here in the same transaction as the item's outcome. An incident is reported to
incidents over its HTTP API as the caller (see `adapters.incidents_api` for why) before the
outcome is written; should the second step fail (another coordinator turned the same item in
between), the incident stands, reported in the caller's name, and the item keeps the outcome the
other one gave it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal, Role
from lianxin.errors import Forbidden, NotFound, require
from resources.adapters.incidents_api import Incidents
from resources.domain.common import CST
from resources.domain.deliberations import Deliberation, Level, Outcome
from resources.domain.needs import Need
from resources.service_layer.pipeline import (
    GRID,
    LIAISON,
    Clock,
    Kind,
    act,
    actor,
    communities_of,
    create,
    may,
    read_list,
    read_one,
    sees,
    utcnow,
)
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

DELIBERATION: Kind[Deliberation] = Kind("deliberation", lambda u: u.deliberations)
HOLDERS = GRID
READERS = GRID | LIAISON


def _grid_may(principal: Principal, deliberation: Deliberation) -> None:
    """A grid leader's share: building and area meetings of its own grid."""
    if principal.role is not Role.GRID_LEADER:
        return
    if deliberation.level is Level.COMMUNITY:
        raise Forbidden("a community-level deliberation is held by the community's coordinators")
    if set(deliberation.held_in).isdisjoint(principal.scope.grid_nodes):
        raise Forbidden("another grid, or the community, recorded this deliberation")


async def _record(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    deliberation_id: UUID,
    command: Callable[[Deliberation, datetime], None],
    clock: Clock,
) -> Deliberation:
    """One command on the record, by a holder in its community (a grid leader: its own)."""
    return await act(
        uow,
        principal,
        DELIBERATION,
        deliberation_id,
        command,
        roles=HOLDERS,
        check=_grid_may,
        clock=clock,
    )


def _in_scope(principal: Principal, community_code: str) -> None:
    may(principal, HOLDERS)
    if not sees(principal, community_code):
        raise NotFound("community", community_code)


async def hold_deliberation(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    fields: dict[str, Any],
    incidents: Incidents,
    clock: Clock = utcnow,
) -> Deliberation:
    """The incidents it talks through must be ones the caller sees in incidents."""
    _in_scope(principal, fields["community_code"])
    for incident_id in dict.fromkeys(fields.get("incident_ids") or ()):
        await incidents.check(incident_id)
    grid = principal.scope.grid_nodes if principal.role is Role.GRID_LEADER else ()

    def hold(**given: Any) -> Deliberation:
        deliberation = Deliberation.hold(**given)
        _grid_may(principal, deliberation)
        return deliberation

    given = {**fields, "recorded_by": actor(principal), "held_in": tuple(sorted(grid))}
    return await create(uow, principal, DELIBERATION, hold, given, roles=HOLDERS, clock=clock)


async def update_deliberation(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    deliberation_id: UUID,
    step: str,
    fields: dict[str, Any],
    clock: Clock = utcnow,
) -> Deliberation:
    """One step of the record: agenda, attendance, an agreed item, minutes, close; or a local
    resolution of an agreed item once it is closed."""

    def command(d: Deliberation, now: datetime) -> None:
        if step == "agenda":
            d.set_agenda(fields["agenda"])
        elif step == "attendance":
            d.record_attendance(**fields)
        elif step == "item":
            d.agree(fields["text"])
        elif step == "minutes":
            d.write_minutes(fields["minutes"])
        elif step == "close":
            d.close(now)
        elif step == "resolution":
            d.turn(
                fields["number"],
                Outcome.RESOLVED_LOCALLY,
                actor(principal),
                now,
                settlement=fields["settlement"],
            )
        else:
            raise ValueError(step)

    return await _record(uow, principal, deliberation_id, command, clock)


async def turn_into_need(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    deliberation_id: UUID,
    number: int,
    fields: dict[str, Any],
    clock: Clock = utcnow,
) -> tuple[Deliberation, Need]:
    """The need on the needs list, its `origin_ref` pointing back at the item, in one
    transaction with the item's outcome."""
    made: list[Need] = []

    def command(d: Deliberation, now: datetime) -> None:
        item = d.pending(number)
        need = Need.record(
            community_code=d.community_code,
            grid_node_code=fields.get("grid_node_code") or d.grid_node_code,
            category=fields["category"],
            title=fields.get("title") or item.text[:200],
            description=fields.get("description", ""),
            affected=fields["affected"],
            affected_count=fields["affected_count"],
            urgency=fields.get("urgency", "normal"),
            source="resident",
            recorded_by=actor(principal),
            origin_ref=item.ref(d.id),
            now=now,
        )
        uow.needs.add(need)
        d.turn(number, Outcome.NEED, actor(principal), now, need_id=need.id)
        made.append(need)

    d = await _record(uow, principal, deliberation_id, command, clock)
    return d, made[0]


async def turn_into_incident(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    deliberation_id: UUID,
    number: int,
    fields: dict[str, Any],
    incidents: Incidents,
    clock: Clock = utcnow,
) -> Deliberation:
    """A new incident reported as the caller (its micro-grid, category, urgency), or, with
    `incident_id`, the incident the meeting talked through (story 5: mediated, then whistled)."""
    d = await read_one(uow, principal, DELIBERATION, deliberation_id, roles=HOLDERS)
    _grid_may(principal, d)
    item = d.pending(number)
    incident_id = fields.get("incident_id")
    if incident_id is not None:
        await incidents.check(incident_id)
    else:
        for name in ("micro_grid_code", "category"):
            require(fields.get(name), name, f"{name} is needed to report an incident")
        incident_id = await incidents.report(
            {
                "micro_grid_code": fields["micro_grid_code"],
                "category": fields["category"],
                "urgency": fields.get("urgency") or "general",
                "description": fields.get("description") or f"{item.text}（议事：{d.topic}）",
                "affected_households": fields.get("affected_households") or len(d.households),
                "reporter": actor(principal),
            }
        )

    def command(found: Deliberation, now: datetime) -> None:
        found.turn(number, Outcome.INCIDENT, actor(principal), now, incident_id=incident_id)

    return await _record(uow, principal, deliberation_id, command, clock)


async def get_deliberation(
    uow: ResourcesUnitOfWork, principal: Principal, deliberation_id: UUID
) -> Deliberation:
    return await read_one(uow, principal, DELIBERATION, deliberation_id, roles=READERS)


async def list_deliberations(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[Deliberation]:
    return await read_list(uow, principal, DELIBERATION, community_code, roles=READERS)


async def for_incident(
    uow: ResourcesUnitOfWork, principal: Principal, incident_id: UUID
) -> list[Deliberation]:
    """The deliberations an incident went through, of the caller's communities."""
    may(principal, READERS)
    async with uow:
        found = await uow.deliberations.for_incident(incident_id)
    return [d for d in found if sees(principal, d.community_code)]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """`2026-11` in China time: the first instant of the month and of the next."""
    year, sep, number = month.partition("-")
    require(
        sep and year.isdigit() and number.isdigit() and 1 <= int(number) <= 12,
        "month",
        "write a month 2026-11",
    )
    y, m = int(year), int(number)
    require(2000 <= y <= 2100, "month", "year is out of range")
    start = datetime(y, m, 1, tzinfo=CST)
    end = datetime(y + m // 12, m % 12 + 1, 1, tzinfo=CST)
    return start, end


async def figures(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    month: str | None = None,
    community_code: str | None = None,
    clock: Clock = utcnow,
) -> list[dict[str, Any]]:
    """Per community, the month's deliberations held and what their agreed items became."""
    month = month or f"{clock().astimezone(CST):%Y-%m}"
    since, until = month_bounds(month)
    may(principal, READERS)
    communities = communities_of(principal, community_code)
    async with uow:
        held = await uow.deliberations.held_between(communities, since, until)
    counts: dict[str, Counter[str]] = {}
    for d in held:
        tally = counts.setdefault(d.community_code, Counter())
        tally["held"] += 1
        for item in d.items:
            tally[item.outcome.value if item.outcome else "pending"] += 1
    keys = ("held", *(o.value for o in Outcome), "pending")
    return [
        {"community_code": c, "month": month, **{k: counts[c][k] for k in keys}}
        for c in sorted(counts)
    ]
