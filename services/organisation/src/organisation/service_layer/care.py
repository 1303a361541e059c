"""The care register's commands and reads, each one transaction.

Every read that shows an entry (its name and the rest) writes one access-log row per entry shown,
with the caller, the time, the action and the purpose the caller gave, in the same transaction as
the read: a read that cannot be logged is not answered. Outside the readers an entry does not
exist (404); the counts per grid are for anyone who sees the community.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, TypeVar

import uuid6

from lianxin.auth import Principal, Role
from lianxin.contracts.care import CareCountsChanged, CareVisitRecorded
from lianxin.contracts.envelope import EventData
from lianxin.errors import Conflict, Forbidden, NotFound, require
from organisation.domain.care import (
    CareEntry,
    Due,
    GridCounts,
    Reader,
    Visit,
    birthdays,
    grid_counts,
)
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

REGISTRARS = (Role.COMMUNITY_COORDINATOR, Role.GRID_LEADER)
E = TypeVar("E", bound=EventData)
EXPORT_COLUMNS = ("code", "name", "birth_date", "phone", "address", "care_groups", "health_notes")


def reader(p: Principal) -> Reader:
    return Reader(p.subject, p.role.value, p.scope.communities, p.scope.grid_nodes)


def published(contract: type[E], source: object, **given: Any) -> E:
    """The contract of a change, its fields taken by name from the domain object (the contract
    names only figures and codes, so nothing personal can ride along)."""
    fields = {n: getattr(source, n) for n in contract.model_fields if hasattr(source, n)}
    return contract(**{**fields, **given})


def _emit(uow: UoW, event: CareCountsChanged | CareVisitRecorded) -> None:
    uow.emit(event, community=event.community_code)


def _purpose(purpose: str | None) -> str:
    purpose = (purpose or "").strip()
    require(purpose, "purpose", "say why you read the care register")
    require(len(purpose) <= 200, "purpose", "at most 200 characters")
    return purpose


async def register(uow: UoW, p: Principal, fields: dict, now: datetime) -> CareEntry:
    """A coordinator of the community, or the leader of the grid, puts a person on the register."""
    async with uow:
        node = await uow.org.grid_nodes.get(fields["node_code"])
        if node is None:
            raise NotFound("grid node", fields["node_code"])
        if not p.sees_grid_node(node.path, node.community_code):
            raise NotFound("grid node", node.code)
        if not (p.is_platform or p.has_role(*REGISTRARS)):
            raise Forbidden(f"a {p.role} may not register care entries")
        if await uow.care.get(fields["code"]) is not None:
            raise Conflict(f"care entry {fields['code']} already exists")
        path = await uow.org.grid_nodes.many(node.path)
        grids = [c for c in node.path if path.get(c) and path[c].kind == "grid"]
        require(grids, "node_code", f"grid node {node.code} is under no grid")
        entry = CareEntry.register(fields["code"], node, grids[-1], fields, now)
        await uow.care.add(entry)
        counts = (await _counts(uow, now, entry.community_code, entry.grid_code))[0]
        _emit(
            uow, published(CareCountsChanged, counts, community_code=entry.community_code, at=now)
        )
        await uow.commit()
        return entry


async def _readable(uow: UoW, p: Principal, code: str) -> CareEntry:
    entry = await uow.care.get(code)
    if entry is None or not entry.readable_by(reader(p)):
        raise NotFound("care entry", code)
    return entry


async def read(
    uow: UoW, p: Principal, code: str, purpose: str | None, now: datetime
) -> tuple[CareEntry, list[Visit], list[Due]]:
    purpose = _purpose(purpose)
    async with uow:
        entry = await _readable(uow, p, code)
        visits = await uow.care.visits(code)
        last = await uow.care.last_visits([code])
        await uow.care.log([code], p.subject, p.role.value, "read", purpose, now)
        await uow.commit()
        return entry, visits, entry.due(last.get(code, {}))


async def grid_page(
    uow: UoW,
    p: Principal,
    grid_code: str,
    purpose: str | None,
    now: datetime,
    as_of: datetime | None = None,
) -> dict:
    """A grid's care page: the entries the caller may read (each logged), their visits waiting
    to become a need, the visits overdue `as_of` (now, or a day ahead to plan the week), and
    that month's birthdays."""
    as_of = as_of or now
    purpose = _purpose(purpose)
    async with uow:
        grid = await uow.org.grid_nodes.get(grid_code)
        entries = [
            e for e in await uow.care.entries(grid_code=grid_code) if e.readable_by(reader(p))
        ]
        # A grid's page exists for those who keep the grid and for its people's carers.
        if grid is None or not (entries or reader(p).keeps(grid.path, grid.community_code)):
            raise NotFound("grid node", grid_code)
        last = await uow.care.last_visits([e.code for e in entries])
        follow_ups = await uow.care.follow_ups([e.code for e in entries])
        await uow.care.log([e.code for e in entries], p.subject, p.role.value, "read", purpose, now)
        await uow.commit()
    return {
        "grid_code": grid_code,
        "grid_name": grid.name,
        "entries": entries,
        "follow_ups": follow_ups,
        "overdue": [d for e in entries for d in e.overdue(last.get(e.code, {}), as_of)],
        "birthdays": birthdays(entries, as_of.month),
    }


async def my_people(uow: UoW, p: Principal, purpose: str | None, now: datetime) -> list[dict]:
    """The carer's own people, soonest due first (the phone page of a grid member)."""
    purpose = _purpose(purpose)
    async with uow:
        scope = sorted(p.scope.communities) or [None]
        entries = [
            e
            for c in scope
            for e in await uow.care.entries(community_code=c)
            if e.cared_for_by(p.subject)
        ]
        last = await uow.care.last_visits([e.code for e in entries])
        await uow.care.log([e.code for e in entries], p.subject, p.role.value, "read", purpose, now)
        await uow.commit()
    rows = [{"entry": e, "due": e.due(last.get(e.code, {}))} for e in entries]
    return sorted(rows, key=lambda r: min((d.due_at for d in r["due"]), default=now))


async def export_csv(
    uow: UoW, p: Principal, codes: list[str], purpose: str | None, now: datetime
) -> str:
    """An explicit export (for a doctor's visit): CSV of entries the caller may read, logged."""
    purpose = _purpose(purpose)
    require(codes, "entry_codes", "name the entries to export")
    async with uow:
        entries = [await _readable(uow, p, c) for c in dict.fromkeys(codes)]
        await uow.care.log(
            [e.code for e in entries], p.subject, p.role.value, "export", purpose, now
        )
        await uow.commit()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.code,
                e.name,
                e.birth_date.isoformat(),
                e.phone or "",
                e.address,
                " ".join(e.care_groups),
                e.health_notes,
            ]
        )
    return out.getvalue()


async def record_visit(uow: UoW, p: Principal, code: str, fields: dict, now: datetime) -> Visit:
    """A carer (or the grid leader, a coordinator) records a visit with its outcome."""
    async with uow:
        entry = await _readable(uow, p, code)
        visit = Visit.record(str(uuid6.uuid7()), entry, fields, p.subject, now)
        await uow.care.add_visit(visit)
        visitor = visit.visitor(entry)
        _emit(uow, published(CareVisitRecorded, visit, visit_id=visit.id, visitor=visitor))
        await uow.commit()
        return visit


async def link_need(uow: UoW, p: Principal, visit_id: str, need_id: str) -> Visit:
    """The need raised from a visit's outcome (in resources) linked back to the visit."""
    async with uow:
        visit = await uow.care.visit(visit_id, for_update=True)
        if visit is None:
            raise NotFound("care visit", visit_id)
        await _readable(uow, p, visit.entry_code)
        visit.link_need(need_id)
        await uow.care.save_visit(visit)
        await uow.commit()
        return visit


async def counts(uow: UoW, p: Principal, community_code: str, now: datetime) -> list[GridCounts]:
    """Figures per grid for anyone who sees the community, a grid leader for her grids only: no
    name, no contact."""
    if not p.sees_community(community_code):
        raise NotFound("community", community_code)
    async with uow:
        found = await _counts(uow, now, community_code)
        if p.scope.grid_nodes and not p.is_platform:
            grids = await uow.org.grid_nodes.many([c.grid_code for c in found])
            found = [
                c
                for c in found
                if (grid := grids.get(c.grid_code)) and p.sees_grid_node(grid.path, community_code)
            ]
        return found


async def _counts(
    uow: UoW, now: datetime, community_code: str, grid_code: str | None = None
) -> list[GridCounts]:
    entries = await uow.care.entries(community_code=community_code, grid_code=grid_code)
    last = await uow.care.last_visits([e.code for e in entries])
    return grid_counts(entries, last, now)


async def access_log(uow: UoW, p: Principal, code: str) -> list[dict]:
    """Who read an entry: for the community's coordinators."""
    async with uow:
        entry = await uow.care.get(code)
        if entry is None or not p.sees_community(entry.community_code) or p.is_platform:
            raise NotFound("care entry", code)
        if p.role is not Role.COMMUNITY_COORDINATOR:
            raise Forbidden("only the community's coordinators read the access log")
        return await uow.care.access_log(code)
