"""The one way a command reaches the volunteers' aggregates, and who may run it.

Every handler: load under lock → check scope (outside it, the object does not exist: 404; inside
it but the wrong role: 403) → the domain call with `now` → save → events through the outbox →
commit, in one transaction. Points move only through `move_points`, which locks the accounts in
the ledger's `lock_order` and writes transfer, entries and balances together.

Roles (`lianxin.auth.Role`): a VOLUNTEER acts on their own profile, passbook and sign-ups (the
token's subject is their organisation account's username, which `speaking_for` turns into the id
of the profile linked to that account, so everything below reads it as the volunteer's id; a
subject that is a profile's id or person code still speaks for it); a team leader is a
volunteer who leads the shift's team (the domain checks that); coordinators (community and
street coordinators, and the alliance admin) run their communities' activities, shop and
mobilisations; the ALLIANCE_ADMIN alone configures points rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from lianxin.auth import Principal, Role
from lianxin.errors import Forbidden, NotFound
from volunteers.domain.accounts import Account, AccountKind, Transfer
from volunteers.domain.ledger import Ledger
from volunteers.domain.records import ServiceDone
from volunteers.domain.rules import PointsRules, points_for
from volunteers.domain.volunteers import Volunteer
from volunteers.service_layer.published import as_contract, is_published

Clock = Callable[[], datetime]
P = TypeVar("P")
COORDINATORS = (Role.ALLIANCE_ADMIN, Role.STREET_COORDINATOR, Role.COMMUNITY_COORDINATOR)
# The daily cap counts a calendar day where the communities are (all of them in China).
LOCAL = ZoneInfo("Asia/Shanghai")


class UoW(Protocol):
    """What the handlers need: `VolunteersUnitOfWork`, or the tests' fake."""

    volunteers: Any
    teams: Any
    activities: Any
    shifts: Any
    rules: Any
    ledger: Any
    shop: Any
    mobilisations: Any

    async def __aenter__(self) -> Any: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def first_time(self, consumer: str, event_id: str) -> bool: ...
    def emit(
        self, data: Any, *, community: str | None = None, correlation_id: str | None = None
    ) -> str: ...


def utcnow() -> datetime:
    return datetime.now(UTC)


def actor(principal: Principal) -> str:
    return principal.name or principal.subject


# -- scope ---------------------------------------------------------------------------------


def coordinates(principal: Principal, community_code: str) -> bool:
    return principal.has_role(*COORDINATORS) and principal.sees_community(community_code)


def is_self(principal: Principal, volunteer: Volunteer) -> bool:
    return principal.role is Role.VOLUNTEER and principal.subject in (
        str(volunteer.id),
        volunteer.person_code,
    )


async def speaking_for(uow: UoW, principal: Principal) -> Principal:
    """The caller as this service knows it: a VOLUNTEER whose account a profile names speaks
    for that profile (its subject becomes the profile's id); anyone else is left as they are."""
    if principal.role is not Role.VOLUNTEER:
        return principal
    async with uow:
        linked = await uow.volunteers.by_account(principal.subject)
    return replace(principal, subject=str(linked.id)) if linked else principal


def sees_volunteer(principal: Principal, volunteer: Volunteer) -> bool:
    """Their coordinators, their grid's leader, and the volunteer themself."""
    if is_self(principal, volunteer):
        return True
    if not principal.has_role(*COORDINATORS, Role.GRID_LEADER):
        return False  # another volunteer, a liaison, a department
    return principal.sees_grid_node(volunteer.home_node_path, volunteer.community_code)


def require_coordinator(principal: Principal, community_code: str, what: str, key: object) -> None:
    """Outside the caller's communities the object does not exist; inside, the role decides."""
    if not principal.sees_community(community_code):
        raise NotFound(what, key)
    if not principal.has_role(*COORDINATORS):
        raise Forbidden(f"only a coordinator of {community_code} may do this")


def require_admin(principal: Principal, community_code: str) -> None:
    if not principal.sees_community(community_code):
        raise NotFound("community", community_code)
    if not principal.has_role(Role.ALLIANCE_ADMIN):
        raise Forbidden("only the alliance administrator configures points rules")


async def locked(
    get: Callable[..., Awaitable[Any]], principal: Principal, what: str, key: UUID
) -> Any:
    """Load under lock (`get(key, for_update=True)`) what the caller's communities hold; outside
    them it does not exist."""
    found = await get(key, for_update=True)
    if found is None or not principal.sees_community(found.community_code):
        raise NotFound(what, key)
    return found


async def volunteer_for(
    uow: UoW, principal: Principal, volunteer_id: UUID, *, lock: bool = False
) -> Volunteer:
    volunteer = await uow.volunteers.get(volunteer_id, for_update=lock)
    if volunteer is None or not sees_volunteer(principal, volunteer):
        raise NotFound("volunteer", volunteer_id)
    return volunteer


def as_volunteer_id(principal: Principal) -> UUID:
    """The volunteer a VOLUNTEER token speaks for (its subject is the volunteer's id)."""
    try:
        return UUID(principal.subject)
    except ValueError:
        raise Forbidden("this token does not belong to a volunteer") from None


# -- events --------------------------------------------------------------------------------


def stage(
    uow: UoW,
    *aggregates: Any,
    community: str,
    correlation_id: str | None = None,
    extra: Callable[[object], dict[str, Any]] | None = None,
) -> None:
    """Queue the published events of what changed in the outbox (same transaction)."""
    for aggregate in aggregates:
        for event in aggregate.events:
            if is_published(event):
                more = extra(event) if extra else {}
                uow.emit(
                    as_contract(event, **more), community=community, correlation_id=correlation_id
                )
        aggregate.events.clear()


async def keep(
    uow: UoW,
    save: Callable[[Any], Awaitable[object]],
    aggregate: Any,
    *also: Any,
    correlation_id: str | None = None,
) -> None:
    """The pipeline's last steps: save the aggregate, queue its events (and those of `also`,
    saved already) for the outbox in its community, commit."""
    await save(aggregate)
    stage(uow, aggregate, *also, community=aggregate.community_code, correlation_id=correlation_id)
    await uow.commit()


# -- points --------------------------------------------------------------------------------


async def move_points(
    uow: UoW,
    accounts: Iterable[Account],
    post: Callable[[Ledger], P],
    *,
    original: Transfer | None = None,
) -> tuple[Ledger, P]:
    """Lock the accounts in order, post on a ledger over them, save what was posted; with what
    `post` made (a transfer, a redemption). The caller stages `ledger.events` and commits."""
    wanted = list(accounts)
    await uow.ledger.ensure(wanted)
    locked = await uow.ledger.lock(a.id for a in wanted)
    known: dict[UUID, Transfer] = {}
    if original is not None:
        known[original.id] = original
        # The partial ledger must know a reversal that exists, or it would allow a second one.
        undone = await uow.ledger.by_source_key(f"reversal:{original.id}")
        if undone is not None:
            known[undone.id] = undone
    ledger = Ledger(accounts=locked, transfers=dict(known))
    posted = post(ledger)
    await uow.ledger.save(ledger, [t for t in ledger.transfers.values() if t.id not in known])
    return ledger, posted


async def undo_points(
    uow: UoW, original: Transfer, post: Callable[[Ledger], P]
) -> tuple[Ledger, P]:
    """`move_points` for a reversal: over the two accounts the original moved points between."""
    touched = [await uow.ledger.account(i) for i in (original.from_account, original.to_account)]
    return await move_points(uow, touched, post, original=original)


async def credit_service(
    uow: UoW,
    volunteer: Volunteer,
    *,
    kind: str,
    hours: Decimal | None,
    flags: frozenset[str],
    source_key: str,
    description: str,
    by: str,
    now: datetime,
    community: str,
    correlation_id: str | None = None,
) -> Transfer | None:
    """Points for one service, once per source key, after the rules and the day's cap. Records
    the service (for 双报到 records) even when the cap leaves no points."""
    issuing = Account.of(AccountKind.ISSUING, volunteer.community_code)
    passbook = Account.passbook(volunteer.id, volunteer.community_code)
    rules = await uow.rules.get(volunteer.community_code) or PointsRules(volunteer.community_code)
    day = now.astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)

    def earn(ledger: Ledger) -> Transfer | None:
        # Under the passbook's lock: the cap's sum and the key check cannot race another credit.
        if amount <= 0:
            return None
        return ledger.transfer(
            "earn",
            issuing.id,
            passbook.id,
            amount,
            actor=by,
            reason=description,
            source_key=source_key,
            now=now,
        )

    await uow.ledger.ensure([issuing, passbook])
    await uow.ledger.lock([issuing.id, passbook.id])
    if await uow.ledger.by_source_key(source_key) is not None:
        return None  # credited already: the same service is paid once
    already = await uow.ledger.earned_between(passbook.id, day, day + timedelta(days=1))
    if hours is None:  # a micro-wish: one hour's worth at the community's default rate
        amount = points_for(rules, Decimal(1), "errand_service", flags, already)
    else:
        amount = points_for(rules, hours, kind, flags, already)
    done = ServiceDone(
        volunteer.id, now, kind, description, volunteer.community_code, hours, amount
    )
    if not await uow.ledger.record_service(done, source_key):
        return None
    ledger, earned = await move_points(uow, [issuing, passbook], earn)
    stage(uow, ledger, community=community, correlation_id=correlation_id)
    return earned
