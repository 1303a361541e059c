"""Whistles to a department by signed webhook: the signature, and when to try again.

The signature is Stripe's scheme, so a department can reuse what it knows:

    X-Lianxin-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>

Signing the timestamp with the body lets the receiver refuse a replay of an old delivery (outside
the tolerance window) without keeping state. While a key is being rotated the header carries one
`v1=` value per valid key, the newest first; one matching value is enough.

A department's signing key is random (`new_signing_key`), issued by the platform and shown once,
and rotated with an overlap (`lianxin.keys`); incidents keeps it encrypted, since it must sign
with it (adapters/webhook_keys.py). Nothing derives it from another secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

SIGNATURE_HEADER = "X-Lianxin-Signature"
SCHEME = "v1"
TOLERANCE_SECONDS = 300

# The waits after the 1st, 2nd, … failed attempt; after the last one fails the delivery is dead.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = 1 + len(RETRY_SCHEDULE)


def new_signing_key() -> str:
    """A fresh signing key: 256 random bits, prefixed as Stripe's are so it is recognised."""
    return "whsec_" + secrets.token_hex(32)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str | Sequence[str], body: bytes, timestamp: int) -> str:
    """The value of the signature header for `body`, sent at `timestamp` (unix seconds): one
    `v1=` per key given (several while a key is rotated, the newest first)."""
    keys = [secret] if isinstance(secret, str) else list(secret)
    if not keys:
        raise ValueError("no key to sign with")
    return ",".join([f"t={timestamp}", *(f"{SCHEME}={_mac(k, timestamp, body)}" for k in keys)])


class SignatureInvalid(ValueError):
    """Why a signature header does not vouch for a body."""


def verify(
    secret: str, body: bytes, header: str, now: int, tolerance: int = TOLERANCE_SECONDS
) -> int:
    """Check a signature header as a receiver must; returns its timestamp or raises why not.

    `body` must be the raw bytes received: re-serialising parsed JSON changes them.
    """
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            macs.append(value)
    if timestamp is None or not macs:
        raise SignatureInvalid(f"expected t=<unix>,{SCHEME}=<hex>")
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid(f"timestamp {timestamp} is more than {tolerance}s from now")
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, mac) for mac in macs):
        raise SignatureInvalid("no signature matches the body")
    return timestamp


def next_attempt(attempt_no: int, last_at: datetime) -> datetime | None:
    """When to try again after failed attempt number `attempt_no` (1-based) made at `last_at`;
    None once the schedule is spent."""
    if attempt_no < 1:
        raise ValueError("attempts are numbered from 1")
    if attempt_no > len(RETRY_SCHEDULE):
        return None
    return last_at + RETRY_SCHEDULE[attempt_no - 1]


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True)
class Attempt:
    """One POST of a delivery, as the delivery log shows it."""

    number: int
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int


def succeeded(status_code: int | None) -> bool:
    """Any 2xx accepts the whistle; anything else (3xx too: we do not follow redirects) fails."""
    return status_code is not None and 200 <= status_code < 300


@dataclass
class Delivery:
    """One event on its way to one department's webhook URL."""

    id: UUID
    department_code: str
    url: str
    event_id: str
    event_type: str
    payload: dict
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str = ""
    delivered_at: datetime | None = None
    # Attempts made before the current schedule began (a redelivery starts a fresh schedule).
    schedule_start: int = 0
    new_attempts: list[Attempt] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.next_attempt_at is None and self.status is DeliveryStatus.PENDING:
            self.next_attempt_at = self.created_at  # the first attempt is due at once

    def record(
        self, at: datetime, status_code: int | None, error: str = "", duration_ms: int = 0
    ) -> Attempt:
        """Record one attempt's outcome and decide what comes next by the schedule."""
        if self.status is not DeliveryStatus.PENDING:
            raise ValueError(f"delivery {self.id} is {self.status}, not pending")
        self.attempts += 1
        attempt = Attempt(self.attempts, at, status_code, error, duration_ms)
        self.new_attempts.append(attempt)
        self.last_status_code, self.last_error = status_code, error
        if succeeded(status_code):
            self.status, self.delivered_at = DeliveryStatus.DELIVERED, at
            self.next_attempt_at = None
            return attempt
        self.next_attempt_at = next_attempt(self.attempts - self.schedule_start, at)
        if self.next_attempt_at is None:
            self.status = DeliveryStatus.DEAD
        return attempt

    def redeliver(self, now: datetime) -> None:
        """An operator asks for a dead delivery to be tried again: a fresh schedule, same log."""
        if self.status is not DeliveryStatus.DEAD:
            raise ValueError(f"only a dead delivery is redelivered; this one is {self.status}")
        self.status, self.next_attempt_at = DeliveryStatus.PENDING, now
        self.schedule_start = self.attempts
