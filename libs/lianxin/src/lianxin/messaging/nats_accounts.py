"""The NATS server's users, rendered from the departments: least privilege for each department.

Pure: departments in (as organisation's `GET /departments` gives them), config text out. One
account, `LIANXIN`, holds JetStream and two kinds of user:

- `platform`: the services, `lianxin streams` and the bootstrap; may do anything in the account;
- `dept_<code>`, one per department with a `nats` channel: may only pull from its own durable
  consumer `dept_<code>` on DISPATCH, ack what it pulled, publish `report.<code>.>`, and receive
  on its own inbox prefix `_INBOX_<code>` (nats-py: `nats.connect(..., inbox_prefix=...)`).
  Everything else is denied by omission: another department's consumer, `dispatch.>`, `_INBOX.>`,
  the JetStream API beyond the three subjects below (no stream or consumer management).

Every password is random (`new_secret`), never derived from anything else: the platform user's is
the deployment's own (`LIANXIN_NATS_PLATFORM_PASSWORD`, or a file `lianxin up` generates), and each
department's is issued by organisation (`POST /departments/<code>/nats-keys`), shown once, and
kept there only as a bcrypt hash (nats-server accepts a password starting with `$2a$` as one).
A department has one user per key (`dept_<code>.<serial>`): while a rotated key's overlap lasts
both users exist, so its system can move to the new password without a gap.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import bcrypt

from lianxin.messaging.streams import department_consumer

ACCOUNT = "LIANXIN"
PLATFORM_USER = "platform"
DISPATCH = "DISPATCH"
# bcrypt's cost: nats-server checks the hash once per connect, not per message.
BCRYPT_ROUNDS = 11
# The alphabet of bcrypt's own base64, for a salt derived from the password (see _salt_from).
_BCRYPT_B64 = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
)


@dataclass(frozen=True)
class NatsCredentials:
    """What a NATS client needs to connect as one user of the LIANXIN account."""

    user: str
    password: str
    inbox_prefix: str = "_INBOX"


def new_secret() -> str:
    """A fresh random secret (256 bits), URL-safe so it travels in env files and headers."""
    return secrets.token_urlsafe(32)


def platform_credentials(password: str) -> NatsCredentials:
    return NatsCredentials(PLATFORM_USER, password)


def department_user(code: str, serial: int) -> str:
    # The department's consumer name and the key's serial: a code is [a-z0-9_], so the dot
    # keeps `dept_a.12` apart from any other department's users.
    return f"{department_consumer(code).durable}.{serial}"


def department_inbox_prefix(code: str) -> str:
    return f"_INBOX_{code}"


def department_credentials(code: str, serial: int, password: str) -> NatsCredentials:
    return NatsCredentials(department_user(code, serial), password, department_inbox_prefix(code))


def department_permissions(code: str) -> dict[str, Any]:
    """Exactly what a department's system needs, found by running nats-py against the server:
    `consumer_info` + `pull_subscribe_bind` + `fetch` + `ack`, and `js.publish` of its reports
    (the stream's ack comes back on the department's own inbox, so no `allow_responses`)."""
    consumer = department_consumer(code).durable
    return {
        "publish": {
            "allow": [
                f"$JS.API.CONSUMER.INFO.{DISPATCH}.{consumer}",
                f"$JS.API.CONSUMER.MSG.NEXT.{DISPATCH}.{consumer}",
                f"$JS.ACK.{DISPATCH}.{consumer}.>",
                f"report.{code}.>",
            ]
        },
        "subscribe": {"allow": [f"{department_inbox_prefix(code)}.>"]},
    }


def has_nats_channel(department: Mapping[str, Any]) -> bool:
    """Whether whistles reach the department over NATS. A department registered without
    channels gets NATS (organisation's default), so a missing list means NATS too."""
    channels = department.get("channels")
    if channels is None:
        return True
    return any(channel.get("kind") == "nats" for channel in channels)


def nats_department_codes(departments: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({d["code"] for d in departments if has_nats_channel(d)})


def _salt_from(password: str, user: str) -> bytes:
    # A salt from the platform password itself: the same password renders the same file, so
    # rewriting it changes nothing and a reload is needed only when a department's user changed.
    raw = hmac.new(password.encode(), f"nats-salt:{user}".encode(), hashlib.sha256).digest()
    # 16 bytes are 22 base64 characters, the last one zero-padded as bcrypt expects.
    encoded = base64.b64encode(raw[:16]).rstrip(b"=").translate(_BCRYPT_B64)
    return b"$2a$%02d$" % BCRYPT_ROUNDS + encoded


def password_hash(password: str, salt: bytes | None = None) -> str:
    """bcrypt, as nats-server reads it; a random salt unless one is given."""
    return bcrypt.hashpw(password.encode(), salt or bcrypt.gensalt(BCRYPT_ROUNDS, b"2a")).decode()


@dataclass(frozen=True)
class DepartmentUser:
    """One valid key of a department, as organisation's `GET /nats-users` lists it."""

    department_code: str
    user: str
    password_hash: str


def new_department_user(code: str, serial: int = 1) -> tuple[NatsCredentials, DepartmentUser]:
    """A fresh key of the department's, as organisation issues one: the credentials shown once,
    and the user entry the server gets (the hash only)."""
    credentials = department_credentials(code, serial, new_secret())
    return credentials, DepartmentUser(code, credentials.user, password_hash(credentials.password))


@functools.cache
def _platform_hash(password: str) -> str:
    # The same every time (its salt comes from the password) and a bcrypt's worth of CPU: once.
    return password_hash(password, _salt_from(password, PLATFORM_USER))


def render_accounts(platform_password: str, departments: Iterable[DepartmentUser]) -> str:
    """The `accounts { }` block for nats-server: include it from the server's config."""
    platform = _platform_hash(platform_password)
    users: list[dict[str, Any]] = [{"user": PLATFORM_USER, "password": platform}]
    for entry in sorted(departments, key=lambda d: d.user):
        users.append(
            {
                "user": entry.user,
                "password": entry.password_hash,
                "permissions": department_permissions(entry.department_code),
            }
        )
    header = (
        "# Generated by `lianxin nats-config` from organisation's NATS keys: do not edit.\n"
        "# One user per valid key of a department with a NATS channel; see docs/departments.md.\n"
    )
    account = {"jetstream": _Bare("enabled"), "users": users}
    return header + f"accounts {_conf({ACCOUNT: account}, 0)}\n"


class _Bare(str):
    """A value written unquoted (`jetstream: enabled`)."""


def _conf(value: Any, depth: int) -> str:
    """NATS config syntax. Strings are always quoted: `$JS…` and `$2a$…` unquoted would be read
    as variables."""
    pad = "  " * (depth + 1)
    if isinstance(value, _Bare):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        lines = [f"{pad}{key}: {_conf(item, depth + 1)}" for key, item in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + "  " * depth + "}"
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], str):
            return "[" + ", ".join(_conf(item, depth) for item in value) + "]"
        lines = [f"{pad}{_conf(item, depth + 1)}" for item in value]
        return "[\n" + "\n".join(lines) + "\n" + "  " * depth + "]"
    raise TypeError(f"no NATS config for {value!r}")
