"""A department's NATS keys (密钥): rotated one at a time with an overlap (`lianxin.keys`), each
kept as its bcrypt hash, and only for a department with a NATS channel."""

from __future__ import annotations

from lianxin.errors import Conflict
from lianxin.keys import IssuedKey, previous_valid_until, revoke, rotate

__all__ = ["IssuedKey", "ensure_nats_channel", "previous_valid_until", "revoke", "rotate"]


def ensure_nats_channel(channels: list, department_code: str) -> None:
    if not any(getattr(c, "kind", None) == "nats" for c in channels):
        raise Conflict(f"department {department_code} has no nats channel")
