"""The points ledger: configured kinds only, two entries summing to zero, no negative passbook,
lifetime vs spendable, reversals once, source keys once, lock order, reconciliation."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from lianxin.errors import Conflict, NotFound, RuleBroken
from lianxin.testing.rules import refused
from volunteers.domain import events
from volunteers.domain.accounts import correction_key
from volunteers.domain.ledger import (
    TRANSFER_KINDS,
    Account,
    AccountKind,
    Discrepancy,
    Ledger,
    lock_order,
    post,
    reconcile,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
K = AccountKind


def books() -> tuple[Ledger, str, str]:
    ledger = Ledger()
    for kind in (K.ISSUING, K.SHOP, K.EXPIRY, K.ADJUSTMENT):
        ledger.open(Account.of(kind, "changshan"))
    volunteer = uuid4()
    passbook = ledger.open(Account.passbook(volunteer, "changshan")).id
    return ledger, passbook, "issuing:changshan"


def earn(ledger: Ledger, passbook: str, amount: int, key: str) -> None:
    ledger.transfer(
        "earn",
        "issuing:changshan",
        passbook,
        amount,
        actor="c1",
        reason="shift",
        source_key=key,
        now=NOW,
    )


def test_a_transfer_is_two_entries_summing_to_zero_and_says_who_why_and_what_for() -> None:
    ledger, passbook, issuing = books()
    earn(ledger, passbook, 30, "shift:1:v")
    [t] = ledger.transfers.values()
    assert [(e.account_id, e.amount) for e in t.entries] == [(issuing, -30), (passbook, 30)]
    assert (t.actor, t.reason, t.source_key) == ("c1", "shift", "shift:1:v")
    assert ledger.account(passbook).balance == 30 == ledger.account(passbook).lifetime
    assert isinstance(ledger.events[-1], events.PointsTransferred)


def test_the_same_service_is_credited_once() -> None:
    ledger, passbook, _ = books()
    earn(ledger, passbook, 30, "shift:1:v")
    with pytest.raises(Conflict, match="shift:1:v"):
        earn(ledger, passbook, 30, "shift:1:v")
    assert ledger.account(passbook).balance == 30


@pytest.mark.parametrize(
    ("kind", "source", "target", "amount", "field"),
    [
        ("gift", "issuing:changshan", "P", 5, "kind"),
        ("earn", "issuing:changshan", "P", 0, "amount"),
        ("earn", "issuing:changshan", "P", -3, "amount"),
        ("earn", "shop:changshan", "P", 5, "to_account"),  # earn comes from issuing only
        ("redeem", "P", "expiry:changshan", 5, "to_account"),
        ("refund", "shop:changshan", "P", 5, "kind"),  # corrections go through reverse()
    ],
)
def test_only_configured_kinds_between_their_account_kinds(
    kind: str, source: str, target: str, amount: int, field: str
) -> None:
    ledger, passbook, _ = books()
    earn(ledger, passbook, 10, "seed")
    with pytest.raises(RuleBroken) as refusal:
        ledger.transfer(
            kind,
            passbook if source == "P" else source,
            passbook if target == "P" else target,
            amount,
            actor="c1",
            reason="r",
            source_key="k",
            now=NOW,
        )
    assert refusal.value.field == field
    assert ledger.account(passbook).balance == 10


@pytest.mark.parametrize("missing", ["actor", "reason", "source_key"])
def test_who_why_and_what_for_are_required(missing: str) -> None:
    ledger, passbook, issuing = books()
    kw = {"actor": "c1", "reason": "r", "source_key": "k"} | {missing: " "}
    assert refused(lambda: ledger.transfer("earn", issuing, passbook, 5, now=NOW, **kw)) == missing


def test_a_passbook_never_goes_negative_and_a_refusal_moves_nothing() -> None:
    ledger, passbook, _ = books()
    earn(ledger, passbook, 10, "a")
    with pytest.raises(Conflict, match="holds 10"):
        ledger.transfer(
            "redeem",
            passbook,
            "shop:changshan",
            11,
            actor="v",
            reason="r",
            source_key="r1",
            now=NOW,
        )
    assert ledger.account(passbook).balance == 10
    assert ledger.account("shop:changshan").balance == 0


def test_redeeming_and_expiry_lower_spendable_only_reversing_an_earn_lowers_both() -> None:
    ledger, passbook, _ = books()
    earn(ledger, passbook, 50, "a")
    earn(ledger, passbook, 20, "b")
    ledger.transfer(
        "redeem", passbook, "shop:changshan", 30, actor="v", reason="米", source_key="r", now=NOW
    )
    expired = ledger.transfer(
        "expire",
        passbook,
        "expiry:changshan",
        10,
        actor="sys",
        reason="2y",
        source_key="e",
        now=NOW,
    )
    book = ledger.account(passbook)
    assert (book.balance, book.lifetime) == (30, 70)
    [b] = [t for t in ledger.transfers.values() if t.source_key == "b"]
    ledger.reverse(b.id, actor="c1", reason="wrong shift", now=NOW)
    assert (book.balance, book.lifetime) == (10, 50)
    ledger.reverse(expired.id, actor="c1", reason="expired too early", now=NOW)
    assert (book.balance, book.lifetime) == (20, 50)


def test_a_transfer_is_reversed_once_and_reversals_are_not_reversed() -> None:
    ledger, passbook, _ = books()
    earn(ledger, passbook, 50, "a")
    [a] = ledger.transfers.values()
    back = ledger.reverse(a.id, actor="c1", reason="duplicate record", now=NOW)
    assert (back.kind, back.reverses, back.from_account, back.to_account) == (
        "reversal",
        a.id,
        passbook,
        "issuing:changshan",
    )
    with pytest.raises(Conflict, match="reversed already"):
        ledger.reverse(a.id, actor="c1", reason="again", now=NOW)
    with pytest.raises(Conflict, match="cannot be reversed"):
        ledger.reverse(back.id, actor="c1", reason="undo the undo", now=NOW)
    with pytest.raises(NotFound):
        ledger.reverse(uuid4(), actor="c1", reason="?", now=NOW)
    # The right amount goes in again under a key that names what it corrects.
    earn(ledger, passbook, 40, correction_key(a))
    assert ledger.account(passbook).lifetime == 40


def test_reversing_an_earn_already_spent_is_refused() -> None:
    ledger, passbook, _ = books()
    earn(ledger, passbook, 50, "a")
    ledger.transfer(
        "redeem", passbook, "shop:changshan", 40, actor="v", reason="油", source_key="r", now=NOW
    )
    [a] = [t for t in ledger.transfers.values() if t.kind == "earn"]
    with pytest.raises(Conflict, match="holds 10"):
        ledger.reverse(a.id, actor="c1", reason="x", now=NOW)


def test_post_refuses_a_correction_that_does_not_mirror_its_original() -> None:
    ledger, passbook, _ = books()
    earn(ledger, passbook, 50, "a")
    [a] = ledger.transfers.values()
    book, issuing = ledger.account(passbook), ledger.account("issuing:changshan")
    with pytest.raises(RuleBroken) as refusal:
        post(
            "reversal",
            book,
            issuing,
            20,
            actor="c",
            reason="r",
            source_key="x",
            now=NOW,
            original=a,
        )
    assert refusal.value.field == "reverses"
    with pytest.raises(RuleBroken) as refusal:
        post("reversal", book, issuing, 50, actor="c", reason="r", source_key="x", now=NOW)
    assert refusal.value.field == "reverses"
    assert book.balance == 50


def test_points_stay_in_their_community_but_the_alliance_may_issue() -> None:
    ledger, passbook, _ = books()
    alliance = ledger.open(Account.of(K.ISSUING, "nanmenshan"))
    other_shop = ledger.open(Account.of(K.SHOP, "taipingjie"))
    ledger.transfer(
        "earn", alliance.id, passbook, 5, actor="a", reason="r", source_key="k", now=NOW
    )
    with pytest.raises(RuleBroken) as refusal:
        ledger.transfer(
            "redeem", passbook, other_shop.id, 5, actor="v", reason="r", source_key="k2", now=NOW
        )
    assert refusal.value.field == "to_account"


def test_every_configured_kind_is_between_distinct_account_kinds() -> None:
    assert set(TRANSFER_KINDS) == {"earn", "adjust", "redeem", "expire", "refund", "reversal"}
    assert all(a != b for k in TRANSFER_KINDS.values() for a, b in k.pairs)


def test_lock_order_is_one_total_order_whatever_the_direction() -> None:
    a, b = Account.passbook(uuid4(), "cs"), Account.of(K.SHOP, "cs")
    assert lock_order([a, b]) == lock_order([b, a]) == lock_order([b.id, a, b])


def test_reconcile_reports_every_account_whose_cache_differs_from_its_entries() -> None:
    ledger, passbook, issuing = books()
    earn(ledger, passbook, 30, "a")
    cached = {a.id: a.balance for a in ledger.accounts.values()}
    assert reconcile(cached, ledger.entries) == []
    cached[passbook] = 31
    del cached[issuing]
    cached["passbook:ghost"] = 4
    expected = [
        Discrepancy(issuing, None, -30),
        Discrepancy("passbook:ghost", 4, 0),
        Discrepancy(passbook, 31, 30),
    ]
    assert reconcile(cached, ledger.entries) == sorted(expected, key=lambda d: d.account_id)


def test_a_ledger_rebuilt_from_stored_transfers_still_knows_their_keys_and_reversals() -> None:
    """How the service layer builds one: the locked accounts and the transfers at hand."""
    ledger, passbook, issuing = books()
    earn(ledger, passbook, 30, "shift:1:v")
    [t] = ledger.transfers.values()
    ledger.reverse(t.id, actor="c", reason="r", now=NOW)
    again = Ledger(
        accounts={k: ledger.accounts[k] for k in lock_order([passbook, issuing])},
        transfers=dict(ledger.transfers),
    )
    with pytest.raises(Conflict):
        again.reverse(t.id, actor="c", reason="r", now=NOW)
    with pytest.raises(Conflict):
        earn(again, passbook, 30, "shift:1:v")
