"""Sign-in throttling: what slows a password guesser down, per account and per client address.

Each key (an account's user name, a client's address) keeps its recent failures. A few are free
(people mistype); each one after those makes the next attempt wait twice as long as the one
before, up to a ceiling. A success clears the key; failures older than `forgotten_after` no
longer count. The rule is plain: the service layer stores the counts in organisation's database,
so every replica applies the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int  # failures in a row that cost no wait
    first_wait: timedelta  # the wait after the first failure past the free ones
    longest_wait: timedelta  # the ceiling of the doubling
    forgotten_after: timedelta  # a key quiet this long starts again from nothing

    def wait_after(self, failures: int) -> timedelta:
        """The wait before the next attempt once `failures` failed in a row."""
        past_free = failures - self.free
        if past_free <= 0:
            return timedelta(0)
        # 2**n grows past any ceiling quickly: stop doubling well before it overflows.
        return min(self.first_wait * 2 ** min(past_free - 1, 30), self.longest_wait)


# An account is guessed at one password at a time: 5 tries, then 2 s, 4 s, … up to 15 minutes.
ACCOUNT = ThrottlePolicy(
    free=5,
    first_wait=timedelta(seconds=2),
    longest_wait=timedelta(minutes=15),
    forgotten_after=timedelta(hours=1),
)
# Many people may sign in from one address (a community office behind one NAT): more free tries.
ADDRESS = ThrottlePolicy(
    free=20,
    first_wait=timedelta(seconds=2),
    longest_wait=timedelta(minutes=15),
    forgotten_after=timedelta(hours=1),
)


@dataclass
class SignInAttempts:
    """One key's failed sign-ins in a row (`account:<name>` or `address:<ip>`)."""

    key: str
    failures: int = 0
    last_failure_at: datetime | None = None

    def retry_after(self, policy: ThrottlePolicy, now: datetime) -> timedelta:
        """How long the key must still wait before an attempt is heard (zero: go ahead)."""
        if self.last_failure_at is None or self._forgotten(policy, now):
            return timedelta(0)
        return max(timedelta(0), self.last_failure_at + policy.wait_after(self.failures) - now)

    def failed(self, policy: ThrottlePolicy, now: datetime) -> None:
        if self._forgotten(policy, now):
            self.failures = 0
        self.failures += 1
        self.last_failure_at = now

    def succeeded(self) -> None:
        self.failures = 0
        self.last_failure_at = None

    def _forgotten(self, policy: ThrottlePolicy, now: datetime) -> bool:
        return self.last_failure_at is not None and (
            now - self.last_failure_at >= policy.forgotten_after
        )


@dataclass(frozen=True)
class SignInRecord:
    """One audit line: who tried to sign in, when, from where, and how it ended."""

    at: datetime
    username: str
    address: str
    result: str  # "succeeded", "failed" or "throttled"
    reason: str = ""  # why not: one of REASONS


# Why a sign-in did not succeed, as the audit names it.
UNKNOWN_ACCOUNT = "unknown_account"
REASONS = (
    UNKNOWN_ACCOUNT,
    "wrong_password",
    "inactive_account",
    "not_a_person",  # a client's name and secret sent as a password grant
    "account_throttled",  # too many failures for the account: not even checked
    "address_throttled",  # too many failures from the address: not even checked
)
