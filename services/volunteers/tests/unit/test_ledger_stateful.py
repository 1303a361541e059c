"""For any sequence of earn, adjust, redeem, cancel-redemption, reverse and expire: entries sum
to zero, no passbook is negative, lifetime ≥ spendable, reconciliation finds nothing, a source
key never credits twice, and a refused operation changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from lianxin.errors import ApplicationError
from volunteers.domain import shop
from volunteers.domain.ledger import Account, AccountKind, Ledger, reconcile

COMMUNITY = "changshan"
START = datetime(2019, 1, 1, 8, 0, tzinfo=UTC)
VOLUNTEERS = [uuid4() for _ in range(3)]
who = st.sampled_from(VOLUNTEERS)
amounts = st.integers(min_value=1, max_value=60)
# A small pool of source keys, so that the same service is often offered twice.
keys = st.sampled_from([f"shift:{n}" for n in range(8)])
picks = st.integers(min_value=0, max_value=50)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        for kind in AccountKind:
            if kind is AccountKind.PASSBOOK:
                continue
            self.ledger.open(Account.of(kind, COMMUNITY))
        for v in VOLUNTEERS:
            self.ledger.open(Account.passbook(v, COMMUNITY))
        self.item = shop.Item.donate(COMMUNITY, "大米", "civil_affairs", "民政局", 25, 3, START)
        self.redemptions: list[shop.Redemption] = []
        self.credited: set[str] = set()
        self.now = START

    def _tick(self) -> datetime:
        self.now += timedelta(minutes=7)
        return self.now

    def _state(self) -> tuple[object, ...]:
        accounts = tuple((a.id, a.balance, a.lifetime) for a in self.ledger.accounts.values())
        statuses = tuple(r.status for r in self.redemptions)
        return accounts, len(self.ledger.transfers), self.item.stock, statuses

    def _attempt(self, operation: object, *args: object, **kw: object) -> bool:
        """Run it; if refused, nothing at all may have changed."""
        before = self._state()
        try:
            operation(*args, **kw)  # type: ignore[operator]
        except ApplicationError:
            assert self._state() == before
            return False
        return True

    def _transfer(
        self, kind: str, source: str, sink: str, amount: int, by: str, reason: str, key: str
    ) -> bool:
        """One ledger transfer, attempted (`_attempt`)."""
        return self._attempt(
            self.ledger.transfer,
            kind,
            source,
            sink,
            amount,
            actor=by,
            reason=reason,
            source_key=key,
            now=self._tick(),
        )

    @rule(v=who, amount=amounts, key=keys)
    def earn(self, v: UUID, amount: int, key: str) -> None:
        done = self._transfer(
            "earn", f"issuing:{COMMUNITY}", f"passbook:{v}", amount, "coordinator", "service", key
        )
        # Credited exactly when the key is new.
        assert done == (key not in self.credited)
        self.credited.add(key)

    @rule(v=who, amount=amounts)
    def adjust(self, v: UUID, amount: int) -> None:
        """A paper passbook's points brought in: earned elsewhere, so lifetime too."""
        source, key = f"adjustment:{COMMUNITY}", f"paper:{uuid4()}"
        assert self._transfer(
            "adjust", source, f"passbook:{v}", amount, "coordinator", "paper passbook", key
        )

    @rule(v=who)
    def redeem(self, v: UUID) -> None:
        book = self.ledger.account(f"passbook:{v}")
        affordable = book.balance >= self.item.price and self.item.stock > 0
        redemptions: list[shop.Redemption] = []

        def go() -> None:
            redemptions.append(
                shop.redeem(
                    self.ledger, self.item, v, handed_over_by="店员", actor=str(v), now=self._tick()
                )
            )

        assert self._attempt(go) == affordable
        self.redemptions += redemptions

    @rule(pick=picks)
    def cancel_redemption(self, pick: int) -> None:
        if not self.redemptions:
            return
        r = self.redemptions[pick % len(self.redemptions)]
        fresh = r.status is shop.RedemptionStatus.REDEEMED
        done = self._attempt(
            shop.cancel, self.ledger, self.item, r, actor="店员", reason="退货", now=self._tick()
        )
        assert done == fresh

    @rule(pick=picks)
    def reverse(self, pick: int) -> None:
        if not self.ledger.transfers:
            return
        transfers = list(self.ledger.transfers.values())
        t = transfers[pick % len(transfers)]
        self._attempt(
            self.ledger.reverse, t.id, actor="coordinator", reason="correction", now=self._tick()
        )

    @rule(v=who, amount=amounts)
    def expire(self, v: UUID, amount: int) -> None:
        book = self.ledger.account(f"passbook:{v}")
        held = book.balance
        sink, key = f"expiry:{COMMUNITY}", f"expiry:{uuid4()}"
        done = self._transfer("expire", book.id, sink, amount, "system", "two years unused", key)
        assert done == (amount <= held)

    @invariant()
    def entries_sum_to_zero(self) -> None:
        assert sum(e.amount for e in self.ledger.entries) == 0

    @invariant()
    def passbooks_are_never_negative_and_lifetime_covers_spendable(self) -> None:
        # Lifetime from the kinds alone: earn and adjust credits less their reversals.
        transfers = self.ledger.transfers
        earned = {"earn", "adjust"}
        lifetime_from_transfers: Counter[str] = Counter()
        for t in transfers.values():
            if t.kind in earned:
                lifetime_from_transfers[t.to_account] += t.amount
            elif t.reverses is not None and transfers[t.reverses].kind in earned:
                lifetime_from_transfers[t.from_account] -= t.amount
        for account in self.ledger.accounts.values():
            if account.kind is AccountKind.PASSBOOK:
                assert 0 <= account.balance <= account.lifetime
                assert account.lifetime == lifetime_from_transfers[account.id]

    @invariant()
    def reconciliation_finds_nothing(self) -> None:
        # Balances recomputed from the transfers alone, independently of the cached ones.
        recomputed: Counter[str] = Counter()
        for t in self.ledger.transfers.values():
            recomputed[t.from_account] -= t.amount
            recomputed[t.to_account] += t.amount
        cached = {a.id: a.balance for a in self.ledger.accounts.values()}
        assert reconcile(cached, self.ledger.entries) == []
        assert reconcile(dict(recomputed), self.ledger.entries) == []

    @invariant()
    def a_source_key_never_credits_twice(self) -> None:
        counts = Counter(t.source_key for t in self.ledger.transfers.values())
        assert max(counts.values(), default=1) == 1
        reversed_ = Counter(t.reverses for t in self.ledger.transfers.values() if t.reverses)
        assert max(reversed_.values(), default=1) == 1

    @invariant()
    def stock_and_redemptions_agree(self) -> None:
        live = sum(r.status is shop.RedemptionStatus.REDEEMED for r in self.redemptions)
        assert self.item.stock + live == 3


LedgerMachine.TestCase.settings = settings(
    # how many examples: the run's profile (lianxin.testing.hypothesis_profiles)
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedger = LedgerMachine.TestCase
