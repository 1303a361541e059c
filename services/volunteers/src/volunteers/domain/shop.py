"""The points shop (积分超市): donated goods, redeemed with points, handed over by someone.

A redemption takes one item of stock and a redeem transfer (passbook → shop) together: the
service layer commits both in one transaction, having locked the item row and the two accounts,
so under concurrent redemptions of the last items exactly as many succeed as there are items.
Cancelling gives both back: a refund (the reversing transfer) and the item to the shelf.
A retired good is off the shelf for good: not listed, not redeemed nor restocked (409, named
`item_retired`); its past redemptions stay in the book, and one can still be cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, require
from volunteers.domain import events
from volunteers.domain.ledger import Account, AccountKind, Ledger
from volunteers.domain.volunteers import text

DONOR_KINDS = ("civil_affairs", "member_unit", "firm", "resident")
# A community shop's shelf and prices, well inside what the item's columns hold.
MAX_STOCK = 1_000_000
MAX_PRICE = 1_000_000


@dataclass
class Item:
    id: UUID
    community_code: str
    name: str
    donor_kind: str
    donor: str
    price: int
    stock: int = 0
    retired_at: datetime | None = None
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def donate(
        cls,
        community_code: str,
        name: str,
        donor_kind: str,
        donor: str,
        price: int,
        stock: int,
        now: datetime,
        *,
        id: UUID | None = None,
    ) -> Item:
        require(donor_kind in DONOR_KINDS, "donor_kind", f"unknown donor kind {donor_kind!r}")
        require(isinstance(price, int) and price > 0, "price", "a price is a positive whole number")
        require(price <= MAX_PRICE, "price", f"a price is at most {MAX_PRICE} points")
        item = cls(
            id or uuid4(),
            text(community_code, "community_code"),
            text(name, "name"),
            donor_kind,
            text(donor, "donor"),
            price,
        )
        item.restock(stock, now)
        return item

    def retire(self, by: str, now: datetime) -> None:
        self.on_the_shelf("item_id")
        self.retired_at = now
        self.events.append(events.ItemRetired(self.id, self.community_code, by, now))

    def on_the_shelf(self, field: str) -> None:
        """Refuses (409) unless the good is still offered; `field`: where a form shows it."""
        if self.retired_at is not None:
            raise Conflict(
                f"{self.name} was taken off the shelf", field=field, type_="item_retired"
            )

    def restock(self, added: int, now: datetime) -> None:
        self.on_the_shelf("added")
        require(isinstance(added, int) and added > 0, "stock", "add at least one item")
        require(self.stock + added <= MAX_STOCK, "stock", f"a shelf holds at most {MAX_STOCK}")
        self.stock += added
        self.events.append(
            events.ItemStocked(
                self.id,
                self.community_code,
                self.name,
                self.donor_kind,
                self.donor,
                self.price,
                added,
                self.stock,
                now,
            )
        )


class RedemptionStatus(StrEnum):
    REDEEMED = "redeemed"
    CANCELLED = "cancelled"


@dataclass
class Redemption:
    id: UUID
    item_id: UUID
    volunteer_id: UUID
    price: int
    transfer_id: UUID
    handed_over_by: str
    redeemed_at: datetime
    status: RedemptionStatus = RedemptionStatus.REDEEMED
    refund_transfer_id: UUID | None = None
    cancelled_at: datetime | None = None
    events: list[object] = field(default_factory=list, repr=False, compare=False)


def redemption_key(redemption_id: UUID) -> str:
    return f"redemption:{redemption_id}"


def redeem(
    ledger: Ledger,
    item: Item,
    volunteer_id: UUID,
    *,
    handed_over_by: str,
    actor: str,
    now: datetime,
    id: UUID | None = None,
) -> Redemption:
    """One item for its price. Stock first: an empty shelf refuses before any points move."""
    handed_over_by = text(handed_over_by, "handed_over_by")
    item.on_the_shelf("item_id")
    if item.stock <= 0:
        raise Conflict(f"{item.name} is out of stock")
    passbook = Account.passbook(volunteer_id, item.community_code).id
    shop = Account.of(AccountKind.SHOP, item.community_code).id
    redemption_id = id or uuid4()
    transfer = ledger.transfer(
        "redeem",
        passbook,
        shop,
        item.price,
        actor=actor,
        reason=item.name,  # the passbook shows the kind (兑换) beside it
        source_key=redemption_key(redemption_id),
        now=now,
    )
    item.stock -= 1
    redemption = Redemption(
        redemption_id,
        item.id,
        volunteer_id,
        item.price,
        transfer.id,
        handed_over_by,
        now,
    )
    redemption.events.append(
        events.ItemRedeemed(
            redemption.id, item.id, volunteer_id, item.price, transfer.id, handed_over_by, now
        )
    )
    return redemption


def cancel(
    ledger: Ledger,
    item: Item,
    redemption: Redemption,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> None:
    """The points come back by a refund (the redeem's reversing transfer), the item to stock."""
    require(redemption.item_id == item.id, "item_id", "this redemption was of another item")
    if redemption.status is RedemptionStatus.CANCELLED:
        raise Conflict(f"redemption {redemption.id} is cancelled already")
    refund = ledger.refund(redemption.transfer_id, actor=actor, reason=reason, now=now)
    item.stock += 1
    redemption.status = RedemptionStatus.CANCELLED
    redemption.refund_transfer_id = refund.id
    redemption.cancelled_at = now
    redemption.events.append(
        events.RedemptionCancelled(
            redemption.id, item.id, redemption.volunteer_id, refund.id, refund.reason, now
        )
    )
