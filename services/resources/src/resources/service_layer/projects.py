"""Projects (项目清单) and responsibilities (责任清单): create, claim, assign, complete, milestones,
progress, finish, rate; the responsibilities list and the overdue ladder.

A claim is race-proof: the project row is locked (`FOR UPDATE`) before the domain counts its
slots, so two units racing for the last slot get one success and one Conflict, and
`project_claims`' key keeps one unit from holding two slots whatever happens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from lianxin.auth import Principal
from lianxin.errors import NotFound
from resources.domain.claims import ClaimFlag, claim_flags
from resources.domain.common import Quarter
from resources.domain.projects import Project
from resources.domain.responsibilities import ResponsibilityLine, responsibilities_list
from resources.service_layer.pipeline import (
    COORDINATORS,
    LIAISON,
    PROJECT,
    READERS,
    Clock,
    act,
    actor,
    acts_for_unit,
    create,
    liaison_unit,
    may,
    own_unit,
    read_list,
    read_one,
    stage,
    utcnow,
)
from resources.service_layer.unit_of_work import ResourcesUnitOfWork


async def create_project(
    uow: ResourcesUnitOfWork, principal: Principal, fields: dict[str, Any], clock: Clock = utcnow
) -> Project:
    """A project outside a meeting (the committee decided it elsewhere); most come from one."""
    return await create(
        uow, principal, PROJECT, Project.create, fields, roles=COORDINATORS, clock=clock
    )


def _claimant_or_coordinator(principal: Principal, project: Project) -> None:
    """Progress is reported by a unit that claimed the project, or by a coordinator."""
    if liaison_unit(principal) not in (None, *project.claimant_codes):  # a liaison's unit
        raise NotFound("project", project.id)


async def change_project(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    project_id: UUID,
    step: str,
    fields: dict[str, Any],
    clock: Clock = utcnow,
) -> Project:
    """One step on a project: a unit's claim, responsibilities, milestones, progress, finish,
    rating."""
    by = actor(principal)

    async def command(project: Project, now: datetime) -> None:
        if step == "claim":
            # After scope and role: outside them the project does not exist, whatever the body
            # names.
            unit = own_unit(principal, fields.get("member_unit_code"))
            year = Quarter.of(now).year
            claimed = await uow.projects.claims_by(
                unit, Quarter(year, 1).start, Quarter(year, 4).end
            )
            project.claim(unit, now, claimed)
        elif step == "assign":
            project.assign(fields["holder_code"], fields["task"], fields["due_at"], now)
        elif step == "complete":
            # A liaison marks done only what its own unit holds.
            held = project.responsibility(fields["responsibility_id"])
            if not acts_for_unit(principal, held.holder_code):
                raise NotFound("responsibility", held.id)
            project.complete(held.id, now)
        elif step == "milestone":
            project.add_milestone(fields["title"], fields["due_at"], now)
        elif step == "progress":
            project.report_progress(
                by,
                fields["note"],
                now,
                milestones=fields.get("milestones"),
                percent_done=fields.get("percent_done"),
            )
        elif step == "finish":
            project.finish(now)
        elif step == "rate":
            project.rate(fields["rater_key"], fields["rating"], now)
        else:
            raise ValueError(step)

    roles = COORDINATORS | LIAISON if step in ("claim", "progress", "complete") else COORDINATORS
    # Any unit may claim; the rest is for the units that did (and the coordinators).
    check = None if step == "claim" else _claimant_or_coordinator
    return await act(
        uow, principal, PROJECT, project_id, command, roles=roles, check=check, clock=clock
    )


async def list_projects(
    uow: ResourcesUnitOfWork, principal: Principal, community_code: str | None = None
) -> list[Project]:
    return await read_list(uow, principal, PROJECT, community_code, roles=READERS)


async def get_project(uow: ResourcesUnitOfWork, principal: Principal, project_id: UUID) -> Project:
    return await read_one(uow, principal, PROJECT, project_id, roles=READERS)


async def responsibilities(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    community_code: str | None,
    holder_code: str | None,
    clock: Clock = utcnow,
) -> list[ResponsibilityLine]:
    found = await list_projects(uow, principal, community_code)
    unit = liaison_unit(principal)
    return responsibilities_list(found, clock(), holder_code if unit is None else unit)


async def flags(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    community_code: str,
    member_unit_codes: list[str],
    year: int,
    clock: Clock = utcnow,
) -> list[ClaimFlag]:
    """Units beyond the practice of two claims a year, or with none by the end of Q1."""
    may(principal, COORDINATORS)
    found = await list_projects(uow, principal, community_code)
    units = [*member_unit_codes, *(c for p in found for c in p.claimant_codes)]
    return claim_flags(dict.fromkeys(units), found, year, clock())


async def check_deadlines(uow: ResourcesUnitOfWork, clock: Clock = utcnow) -> int:
    """The overdue ladder for every project under way: each rung taken once (the rung is in the
    project's state, written in the same transaction as its event). For the worker."""
    async with uow:
        now = clock()
        under_way = await uow.projects.under_way()
        late = [p.id for p in under_way if any(r.rungs_due(now) for r in p.responsibilities)]
        taken = 0
        for project in await uow.projects.lock(late):
            taken += len(project.check_deadlines(now))
        await stage(uow)
        await uow.commit()
    return taken
