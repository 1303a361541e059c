"""Sign-in throttling's rule, without I/O: free failures, then waits that double up to a ceiling,
cleared by a success, forgotten after a quiet hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from organisation.domain.signin import ACCOUNT, ADDRESS, SignInAttempts, ThrottlePolicy

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    free=3,
    first_wait=timedelta(seconds=2),
    longest_wait=timedelta(seconds=60),
    forgotten_after=timedelta(hours=1),
)


def failed(times: int, policy: ThrottlePolicy = POLICY) -> SignInAttempts:
    attempts = SignInAttempts("account:tpj-coordinator")
    for _ in range(times):
        attempts.failed(policy, NOW)
    return attempts


def test_the_first_failures_cost_nothing_then_each_one_doubles_the_wait_up_to_the_ceiling() -> None:
    waits = [failed(n).retry_after(POLICY, NOW).total_seconds() for n in range(0, 10)]
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16, 32, 60]
    # Far past the ceiling the wait stays there (no overflow of the doubling).
    assert failed(500).retry_after(POLICY, NOW) == timedelta(seconds=60)


def test_the_wait_runs_from_the_last_failure() -> None:
    attempts = failed(5)  # a 4 s wait
    assert attempts.retry_after(POLICY, NOW + timedelta(seconds=3)) == timedelta(seconds=1)
    assert attempts.retry_after(POLICY, NOW + timedelta(seconds=4)) == timedelta(0)


def test_a_success_clears_the_failures() -> None:
    attempts = failed(8)
    attempts.succeeded()
    assert attempts.retry_after(POLICY, NOW) == timedelta(0)
    attempts.failed(POLICY, NOW)
    assert attempts.failures == 1


def test_failures_after_a_quiet_hour_start_again_from_one() -> None:
    attempts = failed(8)
    later = NOW + timedelta(hours=1)
    assert attempts.retry_after(POLICY, later) == timedelta(0)
    attempts.failed(POLICY, later)
    assert attempts.failures == 1 and attempts.retry_after(POLICY, later) == timedelta(0)


def test_an_address_has_more_free_tries_than_an_account_and_both_are_bounded() -> None:
    assert ADDRESS.free > ACCOUNT.free >= 3
    for policy in (ACCOUNT, ADDRESS):
        assert policy.wait_after(policy.free) == timedelta(0)
        assert policy.wait_after(policy.free + 1) > timedelta(0)
        assert policy.wait_after(10_000) == policy.longest_wait <= policy.forgotten_after
