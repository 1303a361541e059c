"""Keys that rotate one at a time, with an overlap: the rule both kinds of department key keep
(NATS passwords in organisation, webhook signing keys in incidents).

A key is random, shown once when issued, and stored only as what its owner needs: a hash where
the platform only checks it (NATS), a ciphertext where the platform must use it (webhook
signing). Issuing a new key does not cut the department off: every key valid now stays valid
until `overlap` after the new one's issue, then stops. Retirement ends every key at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class IssuedKey:
    department_code: str
    serial: int  # 1, 2, … per department and channel
    stored: str  # the hash or the ciphertext: never the key itself
    issued_at: datetime
    expires_at: datetime | None = None  # None: valid until the next rotation

    def valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at

    def expire(self, at: datetime) -> None:
        """End the key at `at`, or keep its earlier end."""
        if self.expires_at is None or at < self.expires_at:
            self.expires_at = at


def rotate(
    keys: list[IssuedKey], department_code: str, now: datetime, overlap: timedelta, stored: str
) -> IssuedKey:
    """The next key (stored as `stored`); the keys valid now end when the overlap does."""
    for key in keys:
        if key.valid_at(now):
            key.expire(now + overlap)
    serial = max((k.serial for k in keys), default=0) + 1
    return IssuedKey(department_code, serial, stored, now)


def revoke(keys: list[IssuedKey], now: datetime) -> None:
    """A retired department's keys stop now, without overlap."""
    for key in keys:
        key.expire(now)


def previous_valid_until(keys: list[IssuedKey], now: datetime) -> datetime | None:
    """Until when the keys issued before the newest stay valid (None: there were none)."""
    ends = [k.expires_at for k in keys if k.expires_at and k.expires_at > now]
    return max(ends, default=None)
