"""Points: rules, adjustments and reversals, the shop, reconciliation, micro-wishes, records.

Every movement goes through `pipeline.move_points` (accounts locked in the ledger's order). A
redemption locks the item's row first and then the two accounts — every command that touches
an item takes it before any account, so the two kinds of lock cannot deadlock — and commits the
stock, the redeem transfer and its entries together: of 50 concurrent redemptions of the last 10
items, exactly 10 succeed and 40 are refused as out of stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from lianxin.auth import Principal, Role
from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts import resources as resource_events
from lianxin.errors import Conflict, Forbidden, NotFound, RuleBroken
from volunteers.domain import shop
from volunteers.domain.accounts import Account, AccountKind, Transfer, wish_key
from volunteers.domain.ledger import Discrepancy, Ledger
from volunteers.domain.periods import Period
from volunteers.domain.records import RecordRow, report
from volunteers.domain.rules import PointsRules
from volunteers.domain.shop import Item, Redemption
from volunteers.domain.volunteers import Volunteer
from volunteers.service_layer.pipeline import (
    Clock,
    UoW,
    actor,
    as_volunteer_id,
    credit_service,
    keep,
    locked,
    move_points,
    require_admin,
    require_coordinator,
    stage,
    undo_points,
    utcnow,
    volunteer_for,
)

# -- rules ---------------------------------------------------------------------------------


async def set_rules(
    uow: UoW, principal: Principal, rules: PointsRules, clock: Clock = utcnow
) -> PointsRules:
    require_admin(principal, rules.community_code)
    async with uow:
        await uow.rules.save(rules, actor(principal), clock())
        await uow.commit()
    return rules


# -- transfers by a coordinator ------------------------------------------------------------


async def adjust(
    uow: UoW,
    principal: Principal,
    volunteer_id: UUID,
    amount: int,
    reason: str,
    source_key: str | None = None,
    clock: Clock = utcnow,
) -> Transfer:
    """Points for service earned elsewhere (a paper passbook's years): adjustment → passbook."""
    key = source_key or f"adjust:{uuid4()}"
    return await _by_coordinator(
        uow, principal, volunteer_id, "adjust", AccountKind.ADJUSTMENT, amount, reason, key, clock
    )


async def expire(
    uow: UoW,
    principal: Principal,
    volunteer_id: UUID,
    amount: int,
    reason: str,
    clock: Clock = utcnow,
) -> Transfer:
    """Points that lapsed under the community's rules: passbook → expiry. Lowers only the
    spendable balance (lifetime points and ranks stay); undone by a reversal if wrong."""
    key = f"expire:{uuid4()}"
    return await _by_coordinator(
        uow, principal, volunteer_id, "expire", AccountKind.EXPIRY, amount, reason, key, clock
    )


# Which way a coordinator's transfer goes: into the passbook from the account, or out to it.
_INTO_PASSBOOK = {"adjust": True, "expire": False}


async def _by_coordinator(
    uow: UoW,
    principal: Principal,
    volunteer_id: UUID,
    kind: str,
    other: AccountKind,
    amount: int,
    reason: str,
    key: str,
    clock: Clock,
) -> Transfer:
    """A transfer a coordinator of the volunteer's community makes between the volunteer's
    passbook and the community's `other` account, once per source key."""
    async with uow:
        volunteer = await volunteer_for(uow, principal, volunteer_id)
        community = volunteer.community_code
        require_coordinator(principal, community, "volunteer", volunteer_id)
        if await uow.ledger.by_source_key(key) is not None:
            raise Conflict(f"{key} has been transferred already")
        passbook, account = Account.passbook(volunteer.id, community), Account.of(other, community)
        source, sink = (account, passbook) if _INTO_PASSBOOK[kind] else (passbook, account)

        def post(ledger: Ledger) -> Transfer:
            return ledger.transfer(
                kind,
                source.id,
                sink.id,
                amount,
                actor=actor(principal),
                reason=reason,
                source_key=key,
                now=clock(),
            )

        ledger, made = await move_points(uow, [source, sink], post)
        stage(uow, ledger, community=community)
        await uow.commit()
    return made


async def reverse(
    uow: UoW, principal: Principal, transfer_id: UUID, reason: str, clock: Clock = utcnow
) -> Transfer:
    """A correction: the mirror image of the original, once. Never an edit or a delete."""
    async with uow:
        original = await uow.ledger.transfer(transfer_id)
        if original is None:
            raise NotFound("transfer", transfer_id)
        account = await uow.ledger.account(original.to_account)
        require_coordinator(principal, account.community_code, "transfer", transfer_id)

        def post(ledger: Ledger) -> Transfer:
            return ledger.reverse(transfer_id, actor=actor(principal), reason=reason, now=clock())

        ledger, made = await undo_points(uow, original, post)
        stage(uow, ledger, community=account.community_code)
        await uow.commit()
    return made


async def reconcile(uow: UoW, principal: Principal) -> list[Discrepancy]:
    """Every cached balance against the sum of its entries (the alliance admin or platform)."""
    if not principal.has_role(Role.ALLIANCE_ADMIN):
        raise Forbidden("reconciliation is the alliance administrator's")
    async with uow:
        found = await uow.ledger.reconcile()
        unbalanced = await uow.ledger.unbalanced_transfers()
    return found + [Discrepancy(f"transfer:{t}", None, 0) for t in unbalanced]


# -- the shop ------------------------------------------------------------------------------


async def stock_item(
    uow: UoW, principal: Principal, data: dict[str, Any], clock: Clock = utcnow
) -> Item:
    require_coordinator(principal, data["community_code"], "community", data["community_code"])
    async with uow:
        item = Item.donate(now=clock(), **data)
        await keep(uow, uow.shop.save_item, item)
    return item


async def restock(
    uow: UoW, principal: Principal, item_id: UUID, added: int, clock: Clock = utcnow
) -> Item:
    async with uow:
        item = await locked(uow.shop.item, principal, "item", item_id)
        require_coordinator(principal, item.community_code, "item", item_id)
        item.restock(added, clock())
        await keep(uow, uow.shop.save_item, item)
    return item


async def retire(uow: UoW, principal: Principal, item_id: UUID, clock: Clock = utcnow) -> Item:
    """A coordinator takes a good off the shelf, as she stocks it."""
    async with uow:
        item = await locked(uow.shop.item, principal, "item", item_id)
        require_coordinator(principal, item.community_code, "item", item_id)
        item.retire(actor(principal), clock())
        await keep(uow, uow.shop.save_item, item)
    return item


async def redeem(
    uow: UoW,
    principal: Principal,
    item_id: UUID,
    volunteer_id: UUID,
    handed_over_by: str,
    clock: Clock = utcnow,
) -> Redemption:
    """At the shop's counter: a coordinator hands the goods over (records who), or a volunteer
    redeems for themself (handed over at the counter by whoever they name)."""
    async with uow:
        item = await locked(
            uow.shop.item, principal, "item", item_id
        )  # the item's lock first, always
        if principal.role is Role.VOLUNTEER:
            if as_volunteer_id(principal) != volunteer_id:
                raise NotFound("passbook", volunteer_id)
        else:
            require_coordinator(principal, item.community_code, "item", item_id)
        item.on_the_shelf("item_id")
        if item.stock <= 0:  # refuse before locking any account
            raise Conflict(f"{item.name} is out of stock")
        volunteer = await uow.volunteers.get(volunteer_id)
        if volunteer is None or volunteer.community_code != item.community_code:
            # Named in the body: the item (the path) is found, so 422, not 404.
            detail = f"volunteer {volunteer_id} does not exist in {item.community_code}"
            raise RuleBroken("volunteer_id", detail)
        passbook = Account.passbook(volunteer_id, item.community_code)
        counter = Account.of(AccountKind.SHOP, item.community_code)

        def post(ledger: Ledger) -> Redemption:
            return shop.redeem(
                ledger,
                item,
                volunteer_id,
                handed_over_by=handed_over_by,
                actor=actor(principal),
                now=clock(),
            )

        await uow.ledger.ensure([counter])
        ledger, redemption = await move_points(uow, [passbook, counter], post)
        await uow.shop.save_item(item)
        await uow.shop.save_redemption(redemption)
        stage(uow, ledger, item, redemption, community=item.community_code)
        await uow.commit()
    return redemption


async def cancel_redemption(
    uow: UoW, principal: Principal, redemption_id: UUID, reason: str, clock: Clock = utcnow
) -> Redemption:
    """The refund (the redeem's reversing transfer) and the item back on the shelf, together."""
    async with uow:
        found = await uow.shop.redemption(redemption_id)
        if found is None:
            raise NotFound("redemption", redemption_id)
        item = await locked(uow.shop.item, principal, "item", found.item_id)
        require_coordinator(principal, item.community_code, "redemption", redemption_id)
        redemption = await uow.shop.redemption(redemption_id, for_update=True)
        original = await uow.ledger.transfer(redemption.transfer_id)

        def post(ledger: Ledger) -> None:
            shop.cancel(
                ledger, item, redemption, actor=actor(principal), reason=reason, now=clock()
            )

        ledger, _ = await undo_points(uow, original, post)
        await uow.shop.save_item(item)
        await uow.shop.save_redemption(redemption)
        stage(uow, ledger, item, redemption, community=item.community_code)
        await uow.commit()
    return redemption


# -- micro-wishes (an event from resources) ------------------------------------------------


async def credit_wish(
    uow: UoW, event: CloudEvent, data: EventData, consumer: str, clock: Clock = utcnow
) -> Transfer | None:
    """A micro-wish fulfilled by a party member credits them once: the inbox drops a
    redelivered event, and the source key `wish:<id>` drops the same wish in another event."""
    assert isinstance(data, resource_events.WishClosed)
    if data.claimant_kind != "party_member":
        return None
    async with uow:
        if not await uow.first_time(consumer, event.id):
            return None
        volunteer = await _claimant(uow, data.claimant_id)
        if volunteer is None or volunteer.community_code != data.community_code:
            await uow.commit()  # remembered as handled: nobody here to credit
            return None
        made = await credit_service(
            uow,
            volunteer,
            kind="micro_wish",
            hours=None,
            flags=frozenset(),
            source_key=wish_key(data.wish_id),
            description="微心愿",
            by="resources",
            now=clock(),
            community=data.community_code,
            correlation_id=event.correlationid,
        )
        await uow.commit()
    return made


async def _claimant(uow: UoW, claimant_id: str) -> Volunteer | None:
    """The volunteer a party member's claim names: her volunteer id, or the organisation account
    she signed in with on the wish board (resources knows her by that); else nobody here — a
    party member who is not (yet) a volunteer earns nothing."""
    try:
        return await uow.volunteers.get(UUID(claimant_id))
    except ValueError:
        return await uow.volunteers.by_account(claimant_id)


# -- service records for in-service party members (双报到) ----------------------------------


async def service_record(
    uow: UoW,
    principal: Principal,
    volunteer_id: UUID,
    period: Period,
    *,
    send: bool = False,
    clock: Clock = utcnow,
) -> tuple[Any, list[RecordRow]]:
    """The record a branch downloads; `send`: also the event back to the employer's branch."""
    async with uow:
        volunteer = await volunteer_for(uow, principal, volunteer_id)
        if send:
            require_coordinator(principal, volunteer.community_code, "volunteer", volunteer_id)
        services = await uow.ledger.services_of(volunteer_id)
        rows, reported = report(volunteer, period, services, clock())
        if send:
            stage(uow, _Reported([reported]), community=volunteer.community_code)
            await uow.commit()
    return volunteer, rows


@dataclass
class _Reported:
    """The report is no aggregate of its own: its one event, in the shape `stage` drains."""

    events: list[object]
