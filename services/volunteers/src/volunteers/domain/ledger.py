"""The points ledger (志愿积分存折): double entry, append-only, every movement a transfer.

Every transfer moves a positive whole number of points from one account to another and writes
two entries, −amount on the source and +amount on the target, so all entries sum to zero and an
account's balance is the sum of its entries. Only the kinds in `TRANSFER_KINDS` exist, each
between the account kinds it names:

| kind     | from → to                              | reverses              | lifetime |
|----------|----------------------------------------|-----------------------|----------|
| earn     | issuing → passbook                     | –                     | +amount  |
| adjust   | adjustment → passbook                  | –                     | +amount  |
| redeem   | passbook → shop                        | –                     | –        |
| expire   | passbook → expiry                      | –                     | –        |
| refund   | shop → passbook                        | redeem                | –        |
| reversal | passbook → issuing, passbook →         | earn, adjust, expire  | −amount  |
|          | adjustment, expiry → passbook          |                       | (earn,   |
|          |                                        |                       |  adjust) |

* Lifetime points count what was earned: earn credits (and adjust credits, which bring in
  service earned elsewhere, e.g. a paper passbook's ten years) minus their reversals. Redeeming
  and expiry lower only the spendable balance, so lifetime − spendable = the points redeemed or
  expired and not given back, which is never negative.
* A passbook never goes negative: a debit larger than its spendable balance is a Conflict.
* A correction is a reversal of the whole original, mirrored, referencing it; nothing is edited
  or deleted. A redemption is undone only by cancelling it in the shop, whose refund puts the
  item back on the shelf in the same breath. Its source key is "reversal:<original id>", so
  the unique key that stops a service being credited twice also stops a double reversal.
  A wrong amount is put right by reversing and crediting again under `accounts.correction_key`.

The service layer loads the accounts a command touches, locks them in `lock_order`, builds a
`Ledger` over them (plus the transfer being reversed, if any), posts, and saves the transfer, its
entries and the accounts' new cached balances in one transaction. The database's unique index on
`source_key` guards the keys this partial `Ledger` has not seen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from lianxin.errors import Conflict, NotFound, require
from volunteers.domain import events
from volunteers.domain.accounts import (
    Account,
    AccountKind,
    Entry,
    Transfer,
    reversal_key,
)

A = AccountKind


@dataclass(frozen=True)
class TransferKind:
    name: str
    pairs: frozenset[tuple[AccountKind, AccountKind]]
    reverses: frozenset[str] = frozenset()  # non-empty: this kind only ever undoes those kinds
    counts_as_earned: bool = False


TRANSFER_KINDS: dict[str, TransferKind] = {
    k.name: k
    for k in (
        TransferKind("earn", frozenset({(A.ISSUING, A.PASSBOOK)}), counts_as_earned=True),
        TransferKind("adjust", frozenset({(A.ADJUSTMENT, A.PASSBOOK)}), counts_as_earned=True),
        TransferKind("redeem", frozenset({(A.PASSBOOK, A.SHOP)})),
        TransferKind("expire", frozenset({(A.PASSBOOK, A.EXPIRY)})),
        TransferKind("refund", frozenset({(A.SHOP, A.PASSBOOK)}), frozenset({"redeem"})),
        TransferKind(
            "reversal",
            frozenset(
                {(A.PASSBOOK, A.ISSUING), (A.PASSBOOK, A.ADJUSTMENT), (A.EXPIRY, A.PASSBOOK)}
            ),
            frozenset({"earn", "adjust", "expire"}),
        ),
    )
}
# Which kind undoes which: the table above, read backwards.
UNDONE_BY = {undone: k.name for k in TRANSFER_KINDS.values() for undone in k.reverses}


def lock_order(accounts: Iterable[Account | str]) -> list[str]:
    """The order in which the database locks balance rows (SELECT … FOR UPDATE): by account id.

    Two transfers touching the same two accounts in opposite directions (a redemption and its
    refund, say) would deadlock if each locked its source first; locking every set of accounts in
    one total order makes the second wait for the first instead. Duplicates are locked once.
    The passbook's lock is what makes "never negative" hold under concurrent redemptions: the
    balance is read and checked under it. (Issuing accounts may go negative, so their row only
    needs the lock for its cached total; it is the hot one, every earn in a community takes it.)
    """
    return sorted({a.id if isinstance(a, Account) else a for a in accounts})


def post(
    kind: str,
    source: Account,
    target: Account,
    amount: int,
    *,
    actor: str,
    reason: str,
    source_key: str,
    now: datetime,
    original: Transfer | None = None,
    id: UUID | None = None,
) -> Transfer:
    """Check one transfer against the table and the balances, then move the cached balances.

    Checks everything before it changes anything, so a refusal leaves both accounts untouched.
    """
    config = TRANSFER_KINDS.get(kind)
    require(config is not None, "kind", f"no transfer of kind {kind!r} is configured")
    assert config is not None
    require(
        isinstance(amount, int) and not isinstance(amount, bool) and amount > 0,
        "amount",
        "a transfer moves a positive whole number of points",
    )
    require(actor and actor.strip(), "actor", "a transfer names who made it")
    require(reason and reason.strip(), "reason", "a transfer says why")
    require(source_key and source_key.strip(), "source_key", "a transfer says what it is for")
    require(source.id != target.id, "to_account", "a transfer moves between two accounts")
    require(
        (source.kind, target.kind) in config.pairs,
        "to_account",
        f"a {kind} transfer cannot go from a {source.kind} to a {target.kind} account",
    )
    require(
        source.community_code == target.community_code or A.ISSUING in (source.kind, target.kind),
        "to_account",
        "points move within a community (the alliance's issuing account excepted)",
    )
    lifetime = amount if config.counts_as_earned else 0
    if config.reverses:
        require(original is not None, "reverses", f"a {kind} names the transfer it undoes")
        assert original is not None
        require(
            original.kind in config.reverses,
            "reverses",
            f"a {kind} cannot undo a {original.kind}",
        )
        require(
            (original.from_account, original.to_account, original.amount)
            == (target.id, source.id, amount),
            "reverses",
            "a correction mirrors the whole original: same accounts swapped, same amount",
        )
        lifetime = -original.lifetime_delta
    else:
        require(original is None, "reverses", f"a {kind} does not undo anything")
    passbook = source.kind is A.PASSBOOK
    if passbook and source.balance < amount:
        raise Conflict(f"passbook {source.id} holds {source.balance} points, not {amount}")
    transfer = Transfer(
        id or uuid4(),
        kind,
        source.id,
        target.id,
        amount,
        actor.strip(),
        reason.strip(),
        source_key.strip(),
        now,
        original.id if original else None,
        lifetime,
    )
    source.balance -= amount
    target.balance += amount
    for account in (source, target):
        if account.kind is A.PASSBOOK:
            account.lifetime += lifetime
    return transfer


@dataclass(frozen=True)
class Discrepancy:
    account_id: str
    cached: int | None  # None: the account has entries but no cached balance
    computed: int


def reconcile(cached_balances: Mapping[str, int], entries: Iterable[Entry]) -> list[Discrepancy]:
    """Every account whose cached balance is not the sum of its entries, by account id."""
    sums: dict[str, int] = defaultdict(int)
    for entry in entries:
        sums[entry.account_id] += entry.amount
    found = []
    for account_id in sorted(set(sums) | set(cached_balances)):
        cached, computed = cached_balances.get(account_id), sums.get(account_id, 0)
        # No cached row for an account whose entries cancel out is not a difference.
        if cached != computed and not (cached is None and computed == 0):
            found.append(Discrepancy(account_id, cached, computed))
    return found


@dataclass
class Ledger:
    """The accounts and transfers a command works on: all of them in tests, in memory; the
    locked few a command touches when the service layer builds one from the database."""

    accounts: dict[str, Account] = field(default_factory=dict)
    transfers: dict[UUID, Transfer] = field(default_factory=dict)
    events: list[object] = field(default_factory=list, repr=False, compare=False)
    _keys: dict[str, UUID] = field(default_factory=dict, init=False, repr=False)
    _reversed: dict[UUID, UUID] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for transfer in self.transfers.values():
            self._remember(transfer)

    def open(self, account: Account) -> Account:
        if account.id in self.accounts:
            raise Conflict(f"account {account.id} is open already")
        self.accounts[account.id] = account
        return account

    def account(self, account_id: str) -> Account:
        if account_id not in self.accounts:
            raise NotFound("account", account_id)
        return self.accounts[account_id]

    @property
    def entries(self) -> list[Entry]:
        return [e for t in self.transfers.values() for e in t.entries]

    def transfer(
        self,
        kind: str,
        from_account: str,
        to_account: str,
        amount: int,
        *,
        actor: str,
        reason: str,
        source_key: str,
        now: datetime,
    ) -> Transfer:
        require(kind not in UNDONE_BY.values(), "kind", f"use reverse() for a {kind}")
        self._fresh(source_key)
        source, target = self.account(from_account), self.account(to_account)
        made = post(
            kind, source, target, amount, actor=actor, reason=reason, source_key=source_key, now=now
        )
        return self._record(made)

    def reverse(self, transfer_id: UUID, *, actor: str, reason: str, now: datetime) -> Transfer:
        """Undo a transfer by its mirror image, once. A redemption is undone by the shop
        (`shop.cancel` → `refund`), which puts the item back on the shelf as well."""
        original = self._original(transfer_id)
        if original.kind == "redeem":
            raise Conflict("a redemption is undone by cancelling it in the shop")
        return self._undo(original, actor, reason, now)

    def refund(self, transfer_id: UUID, *, actor: str, reason: str, now: datetime) -> Transfer:
        """The points of a cancelled redemption back to the passbook: only `shop.cancel` calls
        this, in the same transaction as it restocks the item."""
        original = self._original(transfer_id)
        require(original.kind == "redeem", "transfer_id", "only a redemption is refunded")
        return self._undo(original, actor, reason, now)

    def _original(self, transfer_id: UUID) -> Transfer:
        original = self.transfers.get(transfer_id)
        if original is None:
            raise NotFound("transfer", transfer_id)
        return original

    def _undo(self, original: Transfer, actor: str, reason: str, now: datetime) -> Transfer:
        transfer_id = original.id
        if transfer_id in self._reversed:
            raise Conflict(f"transfer {transfer_id} was reversed already")
        kind = UNDONE_BY.get(original.kind)
        if kind is None:
            raise Conflict(f"a {original.kind} cannot be reversed; make a new transfer")
        key = reversal_key(original)
        self._fresh(key)
        source, target = self.account(original.to_account), self.account(original.from_account)
        made = post(
            kind,
            source,
            target,
            original.amount,
            actor=actor,
            reason=reason,
            source_key=key,
            now=now,
            original=original,
        )
        return self._record(made)

    def reversed(self, transfer_id: UUID) -> bool:
        return transfer_id in self._reversed

    def _fresh(self, source_key: str) -> None:
        if source_key.strip() in self._keys:
            raise Conflict(f"{source_key.strip()} has been transferred already")

    def _record(self, made: Transfer) -> Transfer:
        self.transfers[made.id] = made
        self._remember(made)
        self.events.append(
            events.PointsTransferred(
                made.id,
                made.kind,
                made.from_account,
                made.to_account,
                made.amount,
                made.actor,
                made.reason,
                made.source_key,
                made.reverses,
                made.at,
            )
        )
        return made

    def _remember(self, transfer: Transfer) -> None:
        self._keys[transfer.source_key] = transfer.id
        if transfer.reverses is not None:
            self._reversed[transfer.reverses] = transfer.id
