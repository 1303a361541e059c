"""Webhook signatures and the retry schedule, without I/O."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from incidents.domain.webhooks import (
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
    Delivery,
    DeliveryStatus,
    SignatureInvalid,
    new_signing_key,
    next_attempt,
    sign,
    verify,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
T = int(NOW.timestamp())
BODY = '{"id":"0190","type":"cn.lianxin.incidents.assignment.dispatched.v1","data":{"x":"停电"}}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_as_documented() -> None:
    body = BODY.encode()
    header = sign("whsec_k", body, T)
    # What a department writes from the documentation alone:
    expected = hmac.new(b"whsec_k", f"{T}.".encode() + body, hashlib.sha256).hexdigest()
    assert header == f"t={T},v1={expected}"
    assert verify("whsec_k", body, header, now=T + 10) == T


@pytest.mark.parametrize(
    ("secret", "body", "now", "why"),
    [
        ("whsec_other", BODY, T, "no signature matches"),
        ("whsec_k", BODY.replace("停电", "正常"), T, "no signature matches"),
        ("whsec_k", BODY, T + 301, "more than 300s"),
        ("whsec_k", BODY, T - 301, "more than 300s"),
    ],
)
def test_a_wrong_key_a_changed_body_or_a_replay_outside_the_window_fail(
    secret, body, now, why
) -> None:
    header = sign("whsec_k", BODY.encode(), T)
    with pytest.raises(SignatureInvalid, match=why):
        verify(secret, body.encode(), header, now=now)


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", f"t={T}", "v1=00", f"t={T},v2=00"])
def test_a_malformed_header_fails(header: str) -> None:
    with pytest.raises(SignatureInvalid, match="expected t=<unix>,v1=<hex>"):
        verify("whsec_k", BODY.encode(), header, now=T)


def test_any_one_of_several_v1_values_is_enough_while_a_secret_rotates() -> None:
    good = sign("whsec_k", BODY.encode(), T).split(",")[1]
    assert verify("whsec_k", BODY.encode(), f"t={T},v1=deadbeef,{good}", now=T) == T


def test_while_a_key_rotates_the_header_carries_a_v1_per_key_newest_first() -> None:
    header = sign(["whsec_new", "whsec_old"], BODY.encode(), T)
    stamp, new, old = header.split(",")
    assert (stamp, new, old) == (
        f"t={T}",
        sign("whsec_new", BODY.encode(), T).split(",")[1],
        sign("whsec_old", BODY.encode(), T).split(",")[1],
    )
    # A receiver holding either key accepts the delivery.
    assert verify("whsec_old", BODY.encode(), header, now=T) == T
    assert verify("whsec_new", BODY.encode(), header, now=T) == T


def test_a_signing_key_is_random_never_derived() -> None:
    keys = {new_signing_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(k.startswith("whsec_") and len(k) == len("whsec_") + 64 for k in keys)


def test_the_retry_schedule_waits_10s_30s_2m_10m_1h_6h_then_gives_up() -> None:
    waits = [next_attempt(n, NOW) - NOW for n in range(1, len(RETRY_SCHEDULE) + 1)]
    assert waits == [
        timedelta(seconds=10),
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
        timedelta(hours=6),
    ]
    assert next_attempt(len(RETRY_SCHEDULE) + 1, NOW) is None
    with pytest.raises(ValueError):
        next_attempt(0, NOW)


def _delivery() -> Delivery:
    return Delivery(uuid4(), "property", "https://x.example/h", "e1", "t", {}, created_at=NOW)


def test_a_delivery_is_due_at_once_and_delivered_by_any_2xx() -> None:
    delivery = _delivery()
    assert delivery.next_attempt_at == NOW and delivery.status is DeliveryStatus.PENDING
    delivery.record(NOW, 500, "boom")
    assert (delivery.status, delivery.next_attempt_at) == (
        DeliveryStatus.PENDING,
        NOW + timedelta(seconds=10),
    )
    delivery.record(NOW + timedelta(seconds=10), 204)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.next_attempt_at is None and delivery.delivered_at == NOW + timedelta(seconds=10)
    assert [a.number for a in delivery.new_attempts] == [1, 2]
    with pytest.raises(ValueError):
        delivery.record(NOW, 200)


@pytest.mark.parametrize("status_code", [None, 301, 404, 500])
def test_a_delivery_that_keeps_failing_dies_after_the_whole_schedule(status_code) -> None:
    delivery, at = _delivery(), NOW
    for _ in range(MAX_ATTEMPTS - 1):
        delivery.record(at, status_code, "nope")
        assert delivery.status is DeliveryStatus.PENDING
        at = delivery.next_attempt_at
    delivery.record(at, status_code, "nope")
    assert delivery.status is DeliveryStatus.DEAD and delivery.next_attempt_at is None
    assert delivery.attempts == MAX_ATTEMPTS == 7
    assert at - NOW == sum(RETRY_SCHEDULE, timedelta())


def test_a_dead_delivery_sent_again_gets_a_fresh_schedule() -> None:
    delivery = _delivery()
    with pytest.raises(ValueError):
        delivery.redeliver(NOW)
    for _ in range(MAX_ATTEMPTS):
        delivery.record(NOW, 500)
    later = NOW + timedelta(days=1)
    delivery.redeliver(later)
    assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.PENDING, later)
    delivery.record(later, 502)
    assert delivery.next_attempt_at == later + timedelta(seconds=10)
    assert delivery.attempts == MAX_ATTEMPTS + 1
