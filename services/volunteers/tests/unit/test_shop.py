"""The points shop: stock and points go together, out of stock refuses, cancelling refunds."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from lianxin.errors import Conflict, RuleBroken
from lianxin.testing.rules import refused
from volunteers.domain import events, shop
from volunteers.domain.ledger import Account, AccountKind, Ledger

NOW = datetime(2019, 6, 1, 9, 0, tzinfo=UTC)


def setting(points: int, stock: int = 1) -> tuple[Ledger, shop.Item, UUID]:
    ledger = Ledger()
    for kind in (AccountKind.ISSUING, AccountKind.SHOP):
        ledger.open(Account.of(kind, "changshan"))
    volunteer = uuid4()
    ledger.open(Account.passbook(volunteer, "changshan"))
    ledger.transfer(
        "earn",
        "issuing:changshan",
        f"passbook:{volunteer}",
        points,
        actor="c",
        reason="r",
        source_key="seed",
        now=NOW,
    )
    item = shop.Item.donate("changshan", "食用油", "member_unit", "长山物业", 40, stock, NOW)
    return ledger, item, volunteer


def test_a_redemption_takes_the_points_and_one_item_and_records_who_handed_it_over() -> None:
    ledger, item, volunteer = setting(100, stock=2)
    r = shop.redeem(ledger, item, volunteer, handed_over_by="超市管理员", actor="v", now=NOW)
    book = ledger.account(f"passbook:{volunteer}")
    assert (book.balance, book.lifetime, item.stock) == (60, 100, 1)
    assert ledger.account("shop:changshan").balance == 40
    assert r.events == [
        events.ItemRedeemed(r.id, item.id, volunteer, 40, r.transfer_id, "超市管理员", NOW)
    ]
    assert ledger.transfers[r.transfer_id].source_key == f"redemption:{r.id}"


def test_out_of_stock_refuses_before_any_points_move() -> None:
    ledger, item, volunteer = setting(100, stock=1)
    shop.redeem(ledger, item, volunteer, handed_over_by="店员", actor="v", now=NOW)
    with pytest.raises(Conflict, match="out of stock"):
        shop.redeem(ledger, item, volunteer, handed_over_by="店员", actor="v", now=NOW)
    assert ledger.account(f"passbook:{volunteer}").balance == 60


def test_too_few_points_refuses_and_leaves_the_stock() -> None:
    ledger, item, volunteer = setting(39)
    with pytest.raises(Conflict, match="holds 39"):
        shop.redeem(ledger, item, volunteer, handed_over_by="店员", actor="v", now=NOW)
    assert item.stock == 1


def test_cancelling_refunds_by_a_reversing_transfer_and_restocks_once() -> None:
    ledger, item, volunteer = setting(100)
    r = shop.redeem(ledger, item, volunteer, handed_over_by="店员", actor="v", now=NOW)
    shop.cancel(ledger, item, r, actor="店员", reason="顾客退回", now=NOW)
    refund = ledger.transfers[r.refund_transfer_id]  # type: ignore[index]
    assert (refund.kind, refund.reverses) == ("refund", r.transfer_id)
    assert (ledger.account(f"passbook:{volunteer}").balance, item.stock) == (100, 1)
    assert len(ledger.transfers) == 3  # earn, redeem, refund: nothing edited or deleted
    with pytest.raises(Conflict):
        shop.cancel(ledger, item, r, actor="店员", reason="again", now=NOW)


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"donor_kind": "lottery"}, "donor_kind"), ({"price": 0}, "price"), ({"stock": 0}, "stock")],
)
def test_bad_items_name_the_field(kw: dict[str, object], field: str) -> None:
    args = {"community_code": "changshan", "name": "米", "donor_kind": "firm", "donor": "粮油店"}
    args |= {"price": 10, "stock": 5, "now": NOW} | kw
    assert refused(lambda: shop.Item.donate(**args)) == field  # type: ignore[arg-type]


def test_handing_over_names_someone() -> None:
    ledger, item, volunteer = setting(100)
    with pytest.raises(RuleBroken) as refusal:
        shop.redeem(ledger, item, volunteer, handed_over_by=" ", actor="v", now=NOW)
    assert refusal.value.field == "handed_over_by"


def test_stock_and_price_stay_within_what_a_shelf_and_its_columns_hold() -> None:
    """Found by the stateful fuzz: a stock of 346601519788678 overflowed its column (a 500)."""
    with pytest.raises(RuleBroken) as too_dear:
        shop.Item.donate("changshan", "油", "firm", "商会", shop.MAX_PRICE + 1, 1, NOW)
    assert too_dear.value.field == "price"
    with pytest.raises(RuleBroken) as too_many:
        shop.Item.donate("changshan", "油", "firm", "商会", 40, shop.MAX_STOCK + 1, NOW)
    assert too_many.value.field == "stock"
    item = shop.Item.donate("changshan", "油", "firm", "商会", 40, shop.MAX_STOCK - 1, NOW)
    item.restock(1, NOW)
    with pytest.raises(RuleBroken):
        item.restock(1, NOW)
    assert item.stock == shop.MAX_STOCK


def test_a_retired_good_is_neither_redeemed_nor_restocked_and_its_redemptions_stay() -> None:
    ledger, item, volunteer = setting(100, stock=3)
    r = shop.redeem(ledger, item, volunteer, handed_over_by="店员", actor="v", now=NOW)
    item.retire("社区书记", NOW)
    assert (item.retired_at, item.events[-1]) == (
        NOW,
        events.ItemRetired(item.id, "changshan", "社区书记", NOW),
    )
    for attempt, field in (
        (
            lambda: shop.redeem(ledger, item, volunteer, handed_over_by="店员", actor="v", now=NOW),
            "item_id",
        ),
        (lambda: item.restock(5, NOW), "added"),
        (lambda: item.retire("社区书记", NOW), "item_id"),
    ):
        with pytest.raises(Conflict, match="off the shelf") as refusal:
            attempt()
        assert (refusal.value.field, refusal.value.type) == (field, "item_retired")
    assert (ledger.account(f"passbook:{volunteer}").balance, item.stock) == (60, 2)
    # A past redemption stays in the book, and can still be undone: its points come back.
    shop.cancel(ledger, item, r, actor="店员", reason="顾客退回", now=NOW)
    assert ledger.account(f"passbook:{volunteer}").balance == 100
