"""Any sequence of commands on a micro-wish: never an impossible state, one claimant ever."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from lianxin.errors import ApplicationError
from resources.domain.wishes import Claimant, WishStatus

from .builders import T0, a_wish

CLAIMANTS = st.sampled_from(
    [
        Claimant.of("member_unit", "bank"),
        Claimant.of("member_unit", "school"),
        Claimant.of("party_member", "pm-1"),
    ]
)
HAS_CLAIMANT = {WishStatus.CLAIMED, WishStatus.DELIVERED, WishStatus.CLOSED}


class WishMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.wish = a_wish()
        self.first_claimant: Claimant | None = None
        self.seen_events = 1

    def attempt(self, command: Callable[[], None]) -> None:
        """A refused command changes nothing and says nothing; an accepted one says one fact."""
        self.now += timedelta(hours=1)
        before = (self.wish.status, self.wish.claimant, len(self.wish.events))
        try:
            command()
        except ApplicationError:
            assert (self.wish.status, self.wish.claimant, len(self.wish.events)) == before
        else:
            assert len(self.wish.events) == before[2] + 1

    @rule()
    def publish(self) -> None:
        self.attempt(lambda: self.wish.publish(self.now))

    @rule(claimant=CLAIMANTS)
    def claim(self, claimant: Claimant) -> None:
        self.attempt(lambda: self.wish.claim(claimant, self.now))
        if self.first_claimant is None and self.wish.claimant is not None:
            self.first_claimant = self.wish.claimant

    @rule(by=CLAIMANTS, note=st.sampled_from(["", "送到了"]))
    def deliver(self, by: Claimant, note: str) -> None:
        self.attempt(lambda: self.wish.deliver(by, self.now, note=note))

    @rule(reason=st.sampled_from(["", "不合适"]))
    def return_delivery(self, reason: str) -> None:
        self.attempt(lambda: self.wish.return_delivery(reason, self.now))

    @rule()
    def close(self) -> None:
        self.attempt(lambda: self.wish.close(self.now))

    @rule(reason=st.sampled_from(["", "已解决"]))
    def withdraw(self, reason: str) -> None:
        self.attempt(lambda: self.wish.withdraw(reason, self.now))

    @invariant()
    def one_claimant_ever(self) -> None:
        assert self.wish.claimant == self.first_claimant

    @invariant()
    def the_state_agrees_with_its_record(self) -> None:
        w = self.wish
        if w.status in HAS_CLAIMANT:
            assert w.claimant is not None and w.claimed_at is not None
        if w.status in {WishStatus.RECORDED, WishStatus.PUBLISHED}:
            assert w.claimant is None
        assert (w.status is WishStatus.RECORDED) == (w.published_at is None) or (
            w.status is WishStatus.WITHDRAWN
        )
        assert (w.delivered_at is not None) == (
            w.status in {WishStatus.DELIVERED, WishStatus.CLOSED}
        )
        assert (w.closed_at is not None) == (w.status is WishStatus.CLOSED)
        assert (w.withdrawn_at is not None) == (w.status is WishStatus.WITHDRAWN)
        assert w.fulfilled == (w.status is WishStatus.CLOSED)


WishMachine.TestCase.settings = settings(
    # how many examples: the run's profile (lianxin.testing.hypothesis_profiles)
    stateful_step_count=25,
    database=None,  # no example files written into the worktree
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_wish_state_machine = WishMachine.TestCase
