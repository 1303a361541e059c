"""The one way a command reaches a resources aggregate, and who may do what.

Load under lock (`FOR UPDATE`) → check the caller's scope (outside it the object does not exist:
404) → check the role (403) → the domain call with `now` → save everything the command touched,
one statement per table → its events through the outbox, in one transaction.

Who may do what (the issue's access rule):
- member-unit liaisons see their communities' needs, projects and wish board, but only their own
  unit's offers, and act only as their own unit (file its offers, claim for it, report on what
  it claimed, deliver what it claimed);
- coordinators (community, street) act for their communities, the alliance administrator across
  the alliance (organisation lists an alliance's communities in the token), grid leaders record
  needs and wishes and close wishes in their communities;
- volunteers see the wish board and claim a wish as a party member (themselves);
- departments see nothing here, except a joint meeting they were invited to.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from lianxin.auth import Principal, Role
from lianxin.errors import Forbidden, NotFound, RuleBroken
from resources.adapters.repositories import Repository
from resources.domain.meetings import JointMeeting
from resources.domain.needs import Need
from resources.domain.projects import Project
from resources.domain.resources import ResourceOffer
from resources.domain.wishes import MicroWish
from resources.service_layer.published import as_contract
from resources.service_layer.unit_of_work import ResourcesUnitOfWork

Clock = Callable[[], datetime]
A = TypeVar("A")
T = TypeVar("T")

COORDINATORS = frozenset({Role.ALLIANCE_ADMIN, Role.STREET_COORDINATOR, Role.COMMUNITY_COORDINATOR})
GRID = COORDINATORS | {Role.GRID_LEADER}
LIAISON = frozenset({Role.MEMBER_UNIT_LIAISON})
READERS = GRID | LIAISON | {Role.VOLUNTEER}


def utcnow() -> datetime:
    return datetime.now(UTC)


def actor(principal: Principal) -> str:
    return principal.name or principal.subject


def sees(principal: Principal, community_code: str) -> bool:
    """The community's lists: everyone of the platform in scope, never a department."""
    if principal.role is Role.DEPARTMENT_OPERATOR:
        return False
    return principal.sees_community(community_code)


def communities_of(principal: Principal, community_code: str | None) -> set[str] | None:
    """The communities a list shows: the one asked for (if in scope), else all the caller's;
    None, all of them, for the platform itself."""
    if community_code is not None:
        if not sees(principal, community_code):
            raise NotFound("community", community_code)
        return {community_code}
    return None if principal.is_platform else set(principal.scope.communities)


def may(principal: Principal, roles: frozenset[Role]) -> None:
    if not principal.has_role(*roles):
        raise Forbidden(f"{principal.role} may not do this")


# The rule "a liaison acts, and reads what is a unit's, only for its own unit" is written here
# once: `liaison_unit` says which unit that is, the rest apply it.


def liaison_unit(principal: Principal) -> str | None:
    """The one member unit a liaison acts and reads for ("" if its token names none, which is
    no unit's); None for every other role (coordinators act for any unit of their communities)."""
    if principal.role is Role.MEMBER_UNIT_LIAISON:
        return principal.scope.member_unit or ""
    return None


def acts_for_unit(principal: Principal, member_unit_code: str) -> bool:
    """A liaison acts for its own unit; coordinators for any unit of their communities."""
    unit = liaison_unit(principal)
    return member_unit_code == unit if unit is not None else principal.has_role(*COORDINATORS)


def own_unit(principal: Principal, given: str | None) -> str:
    """The unit a command is for: a liaison's own (it may not name another), or the one a
    coordinator names on the unit's behalf."""
    unit = liaison_unit(principal)
    if unit is not None:
        if not unit or (given and given != unit):
            raise Forbidden("a liaison acts for its own member unit only")
        return unit
    if not given:
        raise RuleBroken("member_unit_code", "name the member unit this is for")
    return given


def only_own_unit(principal: Principal, found: Iterable[T], unit_of: Callable[[T], str]) -> list[T]:
    """What a liaison reads of a list of units' things: its own unit's only; others, all."""
    unit = liaison_unit(principal)
    return [x for x in found if unit is None or unit_of(x) == unit]


async def stage(uow: ResourcesUnitOfWork, correlation_id: str | None = None) -> None:
    """Write every aggregate the command touched and queue its events for the outbox."""
    for repository in uow.repositories:
        repo: Repository[Any] = repository
        for aggregate in await repo.save_all():
            for event in aggregate.events:
                uow.emit(
                    as_contract(event),
                    community=aggregate.community_code,
                    correlation_id=correlation_id or str(aggregate.id),
                )
            aggregate.events.clear()


@dataclass(frozen=True)
class Kind(Generic[A]):
    """A kind of aggregate the pipeline serves: its name in a refusal ("need … not found") and
    its repository in the unit of work (opened only inside the transaction)."""

    what: str
    repository: Callable[[ResourcesUnitOfWork], Repository[A]]


NEED: Kind[Need] = Kind("need", lambda u: u.needs)
OFFER: Kind[ResourceOffer] = Kind("resource offer", lambda u: u.offers)
MEETING: Kind[JointMeeting] = Kind("meeting", lambda u: u.meetings)
PROJECT: Kind[Project] = Kind("project", lambda u: u.projects)
WISH: Kind[MicroWish] = Kind("wish", lambda u: u.wishes)

Check = Callable[[Principal, A], None]


async def read_one(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    kind: Kind[A],
    key: UUID,
    *,
    roles: frozenset[Role],
) -> A:
    """One aggregate, for a role that may read it, in the caller's communities (else 404)."""
    may(principal, roles)
    async with uow:
        found = await kind.repository(uow).get(key)
    if found is None or not sees(principal, found.community_code):  # type: ignore[attr-defined]
        raise NotFound(kind.what, key)
    return found


async def read_list(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    kind: Kind[A],
    community_code: str | None,
    *,
    roles: frozenset[Role],
) -> list[A]:
    """A community's list (the one asked for, else all the caller's), for a role that may."""
    may(principal, roles)
    communities = communities_of(principal, community_code)
    async with uow:
        return await kind.repository(uow).in_communities(communities)


async def act(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    kind: Kind[A],
    key: UUID,
    command: Callable[[A, datetime], object | Awaitable[object]],
    *,
    roles: frozenset[Role],
    check: Check[A] | None = None,
    clock: Clock = utcnow,
) -> A:
    """Run one command on one aggregate the caller sees (and its knock-on changes, which the
    command makes through `uow`'s repositories)."""
    async with uow:
        aggregate = await kind.repository(uow).get(key, for_update=True)
        if aggregate is None or not sees(principal, aggregate.community_code):  # type: ignore[attr-defined]
            raise NotFound(kind.what, key)
        may(principal, roles)
        if check is not None:
            check(principal, aggregate)
        outcome = command(aggregate, clock())
        if inspect.isawaitable(outcome):
            await outcome
        await stage(uow)
        await uow.commit()
    return aggregate


async def create(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    kind: Kind[A],
    make: Callable[..., A | Awaitable[A]],
    fields: dict[str, Any],
    *,
    roles: frozenset[Role],
    clock: Clock = utcnow,
) -> A:
    """A new aggregate, `make(**fields, now=…)`, in the community `fields` names (one the caller
    acts for), added to its repository."""
    community_code = fields["community_code"]
    may(principal, roles)
    if not sees(principal, community_code):
        raise NotFound("community", community_code)
    async with uow:
        made = make(**fields, now=clock())
        aggregate: A = await made if inspect.isawaitable(made) else made  # type: ignore[assignment]
        kind.repository(uow).add(aggregate)
        await stage(uow)
        await uow.commit()
    return aggregate
