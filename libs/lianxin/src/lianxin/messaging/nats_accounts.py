"""The NATS server's users, rendered from the departments: least privilege for each department.

Pure: departments in (as organisation's `GET /departments` gives them), config text out. One
account, `LIANXIN`, holds JetStream and two kinds of user:

- `platform`: the services, `lianxin streams` and the bootstrap; may do anything in the account;
- `dept_<code>`, one per department with a `nats` channel: may only pull from its own durable
  consumer `dept_<code>` on DISPATCH, ack what it pulled, publish `report.<code>.>`, and receive
  on its own inbox prefix `_INBOX_<code>` (nats-py: `nats.connect(..., inbox_prefix=...)`).
  Everything else is denied by omission: another department's consumer, `dispatch.>`, `_INBOX.>`,
  the JetStream API beyond the three subjects below (no stream or consumer management).

Passwords are never stored: each is an HMAC of the platform secret, so `lianxin nats-credentials`
can print a department's password again whenever asked, and the file holds only bcrypt hashes
(nats-server accepts a password starting with `$2a$` as a bcrypt hash).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
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
# The alphabet of bcrypt's own base64, for a salt derived from the secret (see _salt).
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


def _derive(platform_secret: str, purpose: str) -> str:
    digest = hmac.new(platform_secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def platform_credentials(platform_secret: str) -> NatsCredentials:
    # "nats-platform" can never equal "nats:<code>", so no department code yields this password.
    return NatsCredentials(PLATFORM_USER, _derive(platform_secret, "nats-platform"))


def department_user(code: str) -> str:
    # The same name as the department's durable consumer: one name for the department on NATS.
    return department_consumer(code).durable


def department_inbox_prefix(code: str) -> str:
    return f"_INBOX_{code}"


def department_credentials(platform_secret: str, code: str) -> NatsCredentials:
    return NatsCredentials(
        department_user(code),
        _derive(platform_secret, f"nats:{code}"),
        department_inbox_prefix(code),
    )


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


def _salt(platform_secret: str, user: str) -> bytes:
    # A salt derived from the secret: the same departments render the same file, so rewriting
    # it changes nothing and a reload is needed only when a department came or went.
    raw = hmac.new(platform_secret.encode(), f"nats-salt:{user}".encode(), hashlib.sha256).digest()
    # 16 bytes are 22 base64 characters, the last one zero-padded as bcrypt expects.
    encoded = base64.b64encode(raw[:16]).rstrip(b"=").translate(_BCRYPT_B64)
    return b"$2a$%02d$" % BCRYPT_ROUNDS + encoded


def password_hash(password: str, salt: bytes) -> str:
    return bcrypt.hashpw(password.encode(), salt).decode()


def _user(credentials: NatsCredentials, platform_secret: str, permissions: dict | None) -> dict:
    entry: dict[str, Any] = {
        "user": credentials.user,
        "password": password_hash(credentials.password, _salt(platform_secret, credentials.user)),
    }
    if permissions is not None:
        entry["permissions"] = permissions
    return entry


def render_accounts(departments: Iterable[Mapping[str, Any]], platform_secret: str) -> str:
    """The `accounts { }` block for nats-server: include it from the server's config."""
    users = [_user(platform_credentials(platform_secret), platform_secret, None)]
    for code in nats_department_codes(departments):
        credentials = department_credentials(platform_secret, code)
        users.append(_user(credentials, platform_secret, department_permissions(code)))
    header = (
        "# Generated by `lianxin nats-config` from organisation's departments: do not edit.\n"
        "# One user per department with a NATS channel; see docs/departments.md.\n"
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
