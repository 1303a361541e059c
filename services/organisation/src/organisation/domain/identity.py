"""Accounts: people and machines that act on the platform, each with one role and a scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from lianxin.errors import RuleBroken

# What each role's scope must name: where a principal of that role may act.
ROLE_SCOPE = {
    "alliance_admin": "alliance",
    "street_coordinator": "streets",
    "community_coordinator": "communities",
    "grid_leader": "grid_nodes",
    "member_unit_liaison": "member_unit",
    "department_operator": "department",
    "volunteer": "communities",
    "service": None,
}


@dataclass(frozen=True)
class AccountScope:
    alliance: str | None = None
    streets: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()
    grid_nodes: tuple[str, ...] = ()
    department: str | None = None
    member_unit: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> AccountScope:
        """From plain data (a stored scope, a request's): a missing field takes its default."""
        return cls(
            **{
                f.name: tuple(data.get(f.name) or ()) if f.name in _CODES else data.get(f.name)
                for f in fields(cls)
            }
        )

    def plain(self) -> dict[str, Any]:
        """As plain data, lists for the codes: what is stored and what a response shows."""
        return {f.name: _plain(f.name, getattr(self, f.name)) for f in fields(self)}


# The scope's lists of codes (the other fields name one thing or none).
_CODES = ("streets", "communities", "grid_nodes")


def _plain(name: str, value: Any) -> Any:
    return list(value) if name in _CODES else value


@dataclass
class Account:
    username: str
    display_name: str
    role: str
    scope: AccountScope
    kind: str = "person"  # or "client": a machine using client credentials
    active: bool = True
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(
        cls, username: str, display_name: str, role: str, scope: AccountScope, kind: str = "person"
    ) -> Account:
        if role not in ROLE_SCOPE:
            raise RuleBroken("role", f"unknown role {role!r}")
        needed = ROLE_SCOPE[role]
        if needed and not getattr(scope, needed):
            raise RuleBroken(f"scope.{needed}", f"a {role} needs a scope naming {needed}")
        if kind not in ("person", "client"):
            raise RuleBroken("kind", "an account is a person or a client")
        return cls(username, display_name, role, scope, kind)

    def deactivate(self) -> None:
        self.active = False


@dataclass
class RefreshToken:
    """One link in a sign-in's chain of refresh tokens (RFC 6749 §6, rotated on use).

    Only the token's digest is kept. Every link of a chain (`family`) shares the sign-in's
    absolute end: a session slides while the user works, but never past `expires_at`. A link
    presented a second time means it was copied: the whole chain is revoked (RFC 9700 §4.14.2).
    """

    digest: str
    username: str
    family: str
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    def spend(self, now: datetime) -> None:
        """Use the token once, for its successor; a refusal's type says why (`revoked`,
        `expired` or `reused`), all OAuth's invalid_grant to the client."""
        refusal = self.refusal(now)
        if refusal:
            raise RuleBroken("refresh_token", f"the refresh token is {refusal}", type_=refusal)
        self.used_at = now

    def refusal(self, now: datetime) -> str | None:
        if self.revoked_at is not None:
            return "revoked"  # the sign-in was ended
        if now >= self.expires_at:
            return "expired"  # the sign-in reached its absolute end
        return "reused" if self.used_at is not None else None
