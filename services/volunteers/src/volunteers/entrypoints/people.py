"""Routes: volunteers and teams, activities and shifts.

Every route names who may do it to which object in the service layer (`pipeline`); reads here
apply the same scope: an object outside the caller's communities is a 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends

from lianxin.auth import Caller, Principal, Role
from lianxin.errors import NotFound
from lianxin.listings import Filter, Listing, Read, Search, add_listings
from lianxin.service import Runtime, runtime
from lianxin.steps import Step, add_steps
from volunteers.domain.activities import ACTIVITY_KINDS, Shift
from volunteers.domain.volunteers import Volunteer
from volunteers.entrypoints import schemas as s
from volunteers.service_layer import commands
from volunteers.service_layer.pipeline import coordinates, is_self, utcnow, volunteer_for
from volunteers.service_layer.unit_of_work import VolunteersUnitOfWork

router = APIRouter()
# The runtime: a route parameter `rt: RT` is its dependency, a helper's `rt: RT` its type.
RT = Annotated[Runtime[VolunteersUnitOfWork], Depends(runtime)]


def volunteer_out(v: Volunteer, principal: Principal) -> dict[str, Any]:
    """Contacts follow the reporters' privacy rule: their own coordinators and the volunteer
    see them; anyone else only if the volunteer consented."""
    mine = coordinates(principal, v.community_code) or is_self(principal, v)
    return vars(v) | {
        "contact": v.contact_for(mine),
        "home_node_path": list(v.home_node_path),
        "skills": list(v.skills),
    }


def shift_out(
    shift: Shift, principal: Principal, leads: bool = False, names: dict[UUID, str] | None = None
) -> dict[str, Any]:
    """The roster and the code: the community's coordinators and the leader of the shift's team
    (who checks people in, or shows the code at the door); a volunteer sees her own sign-up.
    `names`: the roster's names, for those who see it."""
    mine = coordinates(principal, shift.community_code) or leads
    visible = [
        su
        for su in shift.sign_ups.values()
        if mine or (principal.role is Role.VOLUNTEER and str(su.volunteer_id) == principal.subject)
    ]
    named = names if mine and names else {}
    return vars(shift) | {
        "places_open": shift.places_open,
        "code": shift.code if mine else None,
        "sign_ups": [
            vars(su)
            | {"status": str(su.status), "hours": su.hours, "name": named.get(su.volunteer_id)}
            for su in visible
        ],
    }


def of_community(read: Callable[[VolunteersUnitOfWork, str], Awaitable[Any]]) -> Read:
    """A list route's read (`lianxin.listings`): one community's list, for anyone who sees
    the community (outside it, the community does not exist: 404)."""

    async def listed(rt: RT, p: Principal, community_code: str) -> Any:
        if not p.sees_community(community_code):
            raise NotFound("community", community_code)
        async with rt.uow() as uow:
            return await read(uow, community_code)

    return listed


ACTIVITIES = Search(
    words=("title", "kind"),
    filters=(
        Filter("kind", "kind", ACTIVITY_KINDS),
        Filter("node", "node_code", doc="a grid node's code: activities there"),
        Filter("emergency", "emergency", ("false", "true"), value=lambda e: str(e).lower()),
    ),
)

add_listings(
    router,
    [
        Listing(
            "/teams",
            "list_teams",
            of_community(lambda u, c: u.teams.in_community(c)),
            list[s.TeamOut],
        ),
        Listing(
            "/activities",
            "list_activities",
            of_community(lambda u, c: u.activities.in_community(c)),
            list[s.ActivityOut],
            search=ACTIVITIES,
        ),
    ],
    community_required=True,
)


@router.post("/volunteers", status_code=201, response_model=s.VolunteerOut)
async def register(body: s.VolunteerIn, rt: RT, p: Caller) -> Any:
    return volunteer_out(await commands.register_volunteer(rt.uow(), p, body.model_dump()), p)


@router.get("/volunteers", response_model=list[s.VolunteerOut])
async def list_volunteers(community_code: str, rt: RT, p: Caller) -> Any:
    grid_leader = p.role is Role.GRID_LEADER and p.sees_community(community_code)
    if not coordinates(p, community_code) and not grid_leader:
        raise NotFound("community", community_code)
    async with rt.uow() as uow:
        found = await uow.volunteers.in_community(community_code)
    return [
        volunteer_out(v, p) for v in found if p.sees_grid_node(v.home_node_path, v.community_code)
    ]


@router.get("/volunteers/{volunteer_id}", response_model=s.VolunteerOut)
async def get_volunteer(volunteer_id: UUID, rt: RT, p: Caller) -> Any:
    async with rt.uow() as uow:
        return volunteer_out(await volunteer_for(uow, p, volunteer_id), p)


@router.put("/volunteers/{volunteer_id}/consent", response_model=s.VolunteerOut)
async def consent(
    volunteer_id: UUID,
    body: s.ConsentIn,
    rt: RT,
    p: Caller,
) -> Any:
    return volunteer_out(
        await commands.set_consent(rt.uow(), p, volunteer_id, body.consent_to_contact), p
    )


@router.post("/teams", status_code=201, response_model=s.TeamOut)
async def form_team(body: s.TeamIn, rt: RT, p: Caller) -> Any:
    return await commands.form_team(rt.uow(), p, body.community_code, body.name, body.kind)


@router.post("/teams/{team_id}/members", response_model=s.TeamOut)
async def join(
    team_id: UUID,
    body: s.MembershipIn,
    rt: RT,
    p: Caller,
) -> Any:
    return await commands.change_team(rt.uow(), p, team_id, body.volunteer_id, "join", body.role)


@router.put("/teams/{team_id}/members/{volunteer_id}", response_model=s.TeamOut)
async def change_role(
    team_id: UUID,
    volunteer_id: UUID,
    body: s.MembershipIn,
    rt: RT,
    p: Caller,
) -> Any:
    return await commands.change_team(rt.uow(), p, team_id, volunteer_id, "change_role", body.role)


@router.delete("/teams/{team_id}/members/{volunteer_id}", response_model=s.TeamOut)
async def leave(
    team_id: UUID,
    volunteer_id: UUID,
    rt: RT,
    p: Caller,
) -> Any:
    """Leaving closes the membership's period; the history stays."""
    return await commands.change_team(rt.uow(), p, team_id, volunteer_id, "leave")


@router.post("/activities", status_code=201, response_model=s.ActivityOut)
async def plan(body: s.ActivityIn, rt: RT, p: Caller) -> Any:
    return await commands.plan_activity(rt.uow(), p, body.model_dump())


@router.post("/activities/{activity_id}/shifts", status_code=201, response_model=s.ShiftOut)
async def schedule(
    activity_id: UUID,
    body: s.ShiftIn,
    rt: RT,
    p: Caller,
) -> Any:
    return shift_out(await commands.schedule_shift(rt.uow(), p, activity_id, body.model_dump()), p)


@router.get("/activities/{activity_id}/shifts", response_model=list[s.ShiftOut])
async def list_shifts(activity_id: UUID, rt: RT, p: Caller) -> Any:
    async with rt.uow() as uow:
        activity = await uow.activities.get(activity_id)
        if activity is None or not p.sees_community(activity.community_code):
            raise NotFound("activity", activity_id)
        leads = await _leads(uow, p, activity.team_id)
        shifts = await uow.shifts.of_activity(activity_id)
        names: dict[UUID, str] = {}
        if leads or coordinates(p, activity.community_code):
            for who in {su for x in shifts for su in x.sign_ups}:
                if (v := await uow.volunteers.get(who)) is not None:
                    names[who] = v.name
        return [shift_out(x, p, leads, names) for x in shifts]


async def _leads(uow: VolunteersUnitOfWork, p: Principal, team_id: UUID | None) -> bool:
    """Whether the caller is a volunteer leading the team now."""
    if p.role is not Role.VOLUNTEER or team_id is None:
        return False
    team = await uow.teams.get(team_id)
    return team is not None and team.is_leader(p.subject, utcnow())


@router.get("/my/volunteer", response_model=s.VolunteerOut)
async def my_profile(rt: RT, p: Caller) -> Any:
    """The profile a VOLUNTEER token speaks for (its account's); 404 when none does."""
    async with rt.uow() as uow:
        try:
            found = await uow.volunteers.get(UUID(p.subject))
        except ValueError:
            found = None
    if found is None or not is_self(p, found):
        raise NotFound("volunteer", p.subject)
    return volunteer_out(found, p)


@router.get("/my/shifts", response_model=list[s.ShiftOut])
async def my_shifts(rt: RT, p: Caller) -> Any:
    """A volunteer's own shifts (phone first: what they signed up for, and its state)."""
    async with rt.uow() as uow:
        try:
            mine = UUID(p.subject)
        except ValueError:
            return []
        shifts = await uow.shifts.of_volunteer(mine)
        return [shift_out(x, p, await _leads(uow, p, x.team_id)) for x in shifts]


async def _sign_up(rt: RT, p: Principal, shift_id: UUID, step: str, body: None) -> Any:
    return shift_out(await commands.sign_up(rt.uow(), p, shift_id, step), p)


# A volunteer signs herself up, or cancels.
SIGN_UPS = [
    Step("sign-ups", "sign_up", "sign_up"),
    Step("sign-ups/mine", "cancel", "cancel", method="DELETE"),
]
add_steps(router, "/shifts", "shift_id", _sign_up, SIGN_UPS, response_model=s.ShiftOut)


async def _call_off(rt: RT, p: Principal, shift_id: UUID, step: str, body: s.CallOffIn) -> Any:
    return shift_out(await commands.call_off_shift(rt.uow(), p, shift_id, body.reason), p)


# A coordinator of the shift's community calls the whole shift off, before its start.
add_steps(
    router,
    "/shifts",
    "shift_id",
    _call_off,
    [
        Step(
            "cancellation",
            "call_off_shift",
            "call_off",
            s.CallOffIn,
            doc="Before the start: those signed up are released (no points move); a called-off "
            "shift takes no sign-up nor check-in (409).",
        )
    ],
    response_model=s.ShiftOut,
)


async def _attend(rt: RT, p: Principal, shift_id: UUID, step: str, body: s.AttendIn) -> Any:
    shift = await commands.attend(rt.uow(), p, shift_id, body.volunteer_id, step, code=body.code)
    return shift_out(shift, p)


ATTENDANCE = [
    Step(
        "check-in",
        "check_in",
        "check_in",
        s.AttendIn,
        doc="By the team's leader, or by the volunteer showing the shift's code.",
    ),
    Step(
        "check-out",
        "check_out",
        "check_out",
        s.AttendIn,
        doc="Ends the service; its points are credited in the same transaction.",
    ),
    Step("no-show", "no_show", "no_show", s.AttendIn),
]
add_steps(router, "/shifts", "shift_id", _attend, ATTENDANCE, response_model=s.ShiftOut)
