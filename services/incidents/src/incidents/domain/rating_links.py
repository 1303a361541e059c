"""The resident's rating link (回访 without an account): a signed token, not a stored secret.

When an incident is resolved, its link is `/rate/<token>` on the console, where the token is
the incident id and the moment of that resolution, signed with HMAC-SHA256 under a random key of
its own (`LIANXIN_RATING_LINK_KEY`). Nothing is stored to make it, so any replica makes the same
link for as long as the incident stays resolved; it names one resolution, so a reopened and
again resolved incident has a new link and the old one is spent. It lasts `LIFETIME` from the
resolution, and it is used once: the rating moves the incident on (closed or reopened), and the
service records each token's use (hashed) so that a second use is told so.

    token = base64url(incident id, 16 bytes · resolved_at in µs since 1970, 8 bytes ·
                      HMAC-SHA256(key, the 24 bytes before)[:16])

54 characters: short enough for an SMS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from lianxin.errors import RuleBroken

LIFETIME = timedelta(days=14)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAC_BYTES = 16


@dataclass(frozen=True)
class RatingLink:
    """What a token names: the incident, the resolution it is for, and when it stops working."""

    incident_id: UUID
    resolved_at: datetime
    expires_at: datetime


def link_key(configured: str) -> bytes:
    """The signing key, from `LIANXIN_RATING_LINK_KEY`: random and used for nothing else, so
    that no other secret (the platform's client secret, a department's key) signs a link."""
    if not configured:
        raise ValueError("no rating link key (LIANXIN_RATING_LINK_KEY)")
    return configured.encode()


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def make_token(key: bytes, incident_id: UUID, resolved_at: datetime) -> str:
    body = incident_id.bytes + _micros(resolved_at).to_bytes(8, "big")
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def read_token(key: bytes, token: str) -> RatingLink:
    """What a token names, if we signed it; RuleBroken("token") otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        raw = b""
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    expected = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    if len(body) != 24 or not hmac.compare_digest(mac, expected):
        raise RuleBroken("token", "not a rating link of this platform")
    resolved_at = _EPOCH + timedelta(microseconds=int.from_bytes(body[16:], "big"))
    return RatingLink(UUID(bytes=body[:16]), resolved_at, resolved_at + LIFETIME)


def token_hash(token: str) -> str:
    """What is stored of a used token: enough to recognise it, useless to rate with."""
    return hashlib.sha256(token.encode()).hexdigest()
