"""Volunteers and teams, activities and shifts: one handler per command.

Each runs the pipeline (see `pipeline`): load under lock, check scope, domain call, save, events
through the outbox, commit. A shift's check-out credits the hours' points in the same
transaction, under the source key the domain gave the service (`shift:<shift>:<volunteer>`).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from lianxin.auth import Principal, Role
from lianxin.errors import Conflict, Forbidden, NotFound, RuleBroken
from volunteers.domain.accounts import Account
from volunteers.domain.activities import Activity, Shift, service_key
from volunteers.domain.rules import flags_for
from volunteers.domain.volunteers import Team, Volunteer
from volunteers.service_layer.pipeline import (
    LOCAL,
    Clock,
    UoW,
    actor,
    as_volunteer_id,
    credit_service,
    is_self,
    keep,
    locked,
    require_coordinator,
    utcnow,
    volunteer_for,
)

# -- volunteers and teams ------------------------------------------------------------------


async def register_volunteer(
    uow: UoW, principal: Principal, data: dict[str, Any], clock: Clock = utcnow
) -> Volunteer:
    """A coordinator registers a volunteer of their community; the passbook opens with it."""
    community = data["community_code"]
    require_coordinator(principal, community, "community", community)
    async with uow:
        volunteer = Volunteer.register(now=clock(), **data)
        if volunteer.account and await uow.volunteers.by_account(volunteer.account):
            raise Conflict(f"account {volunteer.account} already speaks for another volunteer")
        await uow.ledger.ensure([Account.passbook(volunteer.id, volunteer.community_code)])
        await keep(uow, uow.volunteers.save, volunteer)
    return volunteer


async def set_consent(
    uow: UoW, principal: Principal, volunteer_id: UUID, consent: bool, clock: Clock = utcnow
) -> Volunteer:
    """Consent to be contacted is the volunteer's own to give or withdraw."""
    async with uow:
        volunteer = await volunteer_for(uow, principal, volunteer_id, lock=True)
        if not is_self(principal, volunteer):
            raise Forbidden("only the volunteer gives or withdraws consent to be contacted")
        volunteer.set_consent(consent, clock())
        await keep(uow, uow.volunteers.save, volunteer)
    return volunteer


async def form_team(
    uow: UoW, principal: Principal, community: str, name: str, kind: str, clock: Clock = utcnow
) -> Team:
    require_coordinator(principal, community, "community", community)
    async with uow:
        team = Team.form(community, name, kind, clock())
        await keep(uow, uow.teams.save, team)
    return team


async def change_team(
    uow: UoW,
    principal: Principal,
    team_id: UUID,
    volunteer_id: UUID,
    step: str,
    role: str = "member",
    clock: Clock = utcnow,
) -> Team:
    """join, leave or change_role: a coordinator of the team's community."""
    async with uow:
        team = await locked(uow.teams.get, principal, "team", team_id)
        require_coordinator(principal, team.community_code, "team", team_id)
        now = clock()
        if step == "join":
            volunteer = await uow.volunteers.get(volunteer_id)
            if volunteer is None:  # named in the body: the team (the path) is found, 422
                raise RuleBroken("volunteer_id", f"volunteer {volunteer_id} does not exist")
            team.join(volunteer, now, role)
        elif step == "leave":
            team.leave(volunteer_id, now)
        else:
            team.change_role(volunteer_id, role, now)
        await keep(uow, uow.teams.save, team)
    return team


# -- activities and shifts -----------------------------------------------------------------


async def plan_activity(
    uow: UoW, principal: Principal, data: dict[str, Any], clock: Clock = utcnow
) -> Activity:
    community = data["community_code"]
    require_coordinator(principal, community, "community", community)
    async with uow:
        if data.get("team_id") is not None:
            team = await uow.teams.get(data["team_id"])
            if team is None or team.community_code != community:
                raise NotFound("team", data["team_id"])
        activity = Activity.plan(now=clock(), **data)
        await keep(uow, uow.activities.save, activity)
    return activity


async def schedule_shift(
    uow: UoW, principal: Principal, activity_id: UUID, data: dict[str, Any], clock: Clock = utcnow
) -> Shift:
    async with uow:
        activity = await locked(uow.activities.get, principal, "activity", activity_id)
        require_coordinator(principal, activity.community_code, "activity", activity_id)
        shift = activity.schedule(now=clock(), **data)
        # The code a volunteer shows to check themself in: short enough to read out, random.
        shift.issue_code(lambda: f"{secrets.randbelow(10**6):06d}")
        await keep(uow, uow.shifts.save, shift, activity)
    return shift


async def call_off_shift(
    uow: UoW, principal: Principal, shift_id: UUID, reason: str, clock: Clock = utcnow
) -> Shift:
    """A coordinator of the shift's community calls it off, as she scheduled it; those signed
    up are released and told why (`ShiftCalledOff`, through the outbox). No points move."""
    async with uow:
        shift: Shift = await locked(uow.shifts.get, principal, "shift", shift_id)
        require_coordinator(principal, shift.community_code, "shift", shift_id)
        shift.call_off(reason, actor(principal), clock())
        await keep(uow, uow.shifts.save, shift)
    return shift


async def sign_up(
    uow: UoW, principal: Principal, shift_id: UUID, step: str = "sign_up", clock: Clock = utcnow
) -> Shift:
    """A volunteer signs themself up (or cancels); the shift's row lock keeps places honest."""
    if principal.role is not Role.VOLUNTEER:
        raise Forbidden("volunteers sign themselves up")
    volunteer_id = as_volunteer_id(principal)
    async with uow:
        shift: Shift = await locked(uow.shifts.get, principal, "shift", shift_id)
        volunteer = await uow.volunteers.get(volunteer_id)
        if volunteer is None or volunteer.community_code != shift.community_code:
            raise NotFound("shift", shift_id)
        if step == "sign_up":
            shift.sign_up(volunteer_id, clock())
        else:
            shift.cancel(volunteer_id, clock())
        await keep(uow, uow.shifts.save, shift)
    return shift


async def attend(
    uow: UoW,
    principal: Principal,
    shift_id: UUID,
    volunteer_id: UUID,
    step: str,
    *,
    code: str | None = None,
    clock: Clock = utcnow,
) -> Shift:
    """check_in / check_out / no_show: by the team's leader (a volunteer leading the shift's
    team) or, for check-in and out, by the volunteer themself with the shift's code.
    Check-out credits the hours' points in the same transaction."""
    async with uow:
        shift: Shift = await locked(uow.shifts.get, principal, "shift", shift_id)
        now = clock()
        if code is not None:
            if step == "no_show":
                raise Forbidden("a no-show is marked by the team's leader")
            if principal.role is not Role.VOLUNTEER or as_volunteer_id(principal) != volunteer_id:
                raise Forbidden("a shift's code checks in only the volunteer who shows it")
            if step == "check_in":
                shift.check_in_with_code(volunteer_id, code, now)
            else:
                hours = shift.check_out_with_code(volunteer_id, code, now)
        else:
            leader = as_volunteer_id(principal)
            team = await uow.teams.get(shift.team_id) if shift.team_id else None
            if team is None:
                raise Forbidden("this shift has no team, so no leader: check in with the code")
            # The domain checks that the caller leads the shift's own team at this moment.
            if step == "check_in":
                shift.check_in(volunteer_id, now, leader=leader, team=team)
            elif step == "check_out":
                hours = shift.check_out(volunteer_id, now, leader=leader, team=team)
            else:
                shift.mark_no_show(volunteer_id, now, leader=leader, team=team)
        if step == "check_out":
            await _credit_shift(uow, shift, volunteer_id, hours, now, actor(principal))
        await keep(uow, uow.shifts.save, shift)
    return shift


async def _credit_shift(
    uow: UoW, shift: Shift, volunteer_id: UUID, hours: Decimal, now: datetime, by: str
) -> None:
    volunteer = await uow.volunteers.get(volunteer_id)
    activity = await uow.activities.get(shift.activity_id)
    await credit_service(
        uow,
        volunteer,
        kind=shift.kind,
        hours=hours,
        # Night by the shift's start where it happens (the communities' zone).
        flags=flags_for(shift.starts_at.astimezone(LOCAL), shift.emergency),
        source_key=service_key(shift.id, volunteer_id),
        description=activity.title if activity else shift.kind,
        by=by,
        now=now,
        community=shift.community_code,
    )
