"""Accounts, the password, client-credential and refresh-token grants, and the rotating signing
keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic_settings import BaseSettings

from lianxin.auth import Principal, Role, Scope, SigningKey, claims_for
from lianxin.errors import ApplicationError, Conflict, RuleBroken
from organisation.domain.identity import Account, AccountScope, RefreshToken
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork


class Lifetimes(BaseSettings):
    """How long tokens live, from the environment (`LIANXIN_ACCESS_TOKEN_SECONDS`,
    `LIANXIN_REFRESH_TOKEN_HOURS`): short access tokens; a person's sign-in slides by refresh
    tokens, rotated on each use, up to an absolute end."""

    lianxin_access_token_seconds: int = 15 * 60
    lianxin_refresh_token_hours: float = 12.0


LIFETIMES = Lifetimes()
TOKEN_SECONDS = LIFETIMES.lianxin_access_token_seconds
SIGN_IN_LASTS = timedelta(hours=LIFETIMES.lianxin_refresh_token_hours)
KEY_ROTATES_AFTER = timedelta(hours=24)
# Published for longer than any token signed with it lives, so no valid token loses its key.
KEY_PUBLISHED_FOR = KEY_ROTATES_AFTER + timedelta(hours=1)


class Hashing(BaseSettings):
    """argon2id's cost, from the environment: the library's defaults (RFC 9106's low-memory
    choice: 64 MiB, 3 passes, 4 lanes) unless `LIANXIN_PASSWORD_HASHING=test`, which only the
    test plugin sets. The suite signs in thousands of times and checks who may, not what a
    guess costs; on a busy 2-core machine one default hash takes seconds."""

    lianxin_password_hashing: Literal["default", "test"] = "default"


# 1 MiB, one pass, one lane: still argon2id with full-length salts and hashes. A stored hash
# carries its parameters, so either hasher verifies what the other made.
_TEST_COST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
_hasher = (
    PasswordHasher(**_TEST_COST)
    if Hashing().lianxin_password_hashing == "test"
    else PasswordHasher()
)
# Checked against when the account does not exist, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("lianxin: no such account")


def hashing_for_tests() -> bool:
    """Whether this process hashes at the test cost: organisation says so loudly at start."""
    return _hasher.memory_cost < PasswordHasher().memory_cost


def _weaker_than_ours(stored: str) -> bool:
    """A hash made at a lower cost than this process's (by a test run, or an older default):
    it is made again at the next sign-in that proves the password. Never the other way, so a
    test-cost process does not weaken what a production one stored."""
    made = extract_parameters(stored)
    return made.memory_cost < _hasher.memory_cost or made.time_cost < _hasher.time_cost


class InvalidGrant(ApplicationError):
    """OAuth2's `invalid_grant`/`invalid_client` (RFC 6749 §5.2): the token endpoint answers it
    in OAuth2's own shape, not as a problem document."""

    def __init__(self, error: str, reason: str = "") -> None:
        super().__init__("unknown account or wrong password")
        self.oauth_error = error
        self.reason = reason  # for the sign-in audit only: the client learns none of it


async def open_account(
    uow: OrganisationUnitOfWork,
    *,
    username: str,
    display_name: str,
    role: str,
    scope: AccountScope,
    secret: str,
    kind: str = "person",
) -> Account:
    async with uow:
        if await uow.identity.account(username):
            raise Conflict(f"account {username} already exists")
        account = Account.open(username, display_name, role, scope, kind)
        await uow.identity.add_account(account, _hasher.hash(secret))
        await uow.commit()
    return account


async def grant(uow: OrganisationUnitOfWork, username: str, secret: str, kind: str) -> dict:
    """A token for a person's password or a machine's client secret; a person also gets a
    refresh token, the first of a new sign-in's chain."""
    async with uow:
        body = await granted(uow, username, secret, kind)
        await uow.commit()
    return body


async def granted(uow: OrganisationUnitOfWork, username: str, secret: str, kind: str) -> dict:
    """`grant` inside the caller's unit of work (sign-in throttling wraps it in its own); an
    `InvalidGrant` says why it refused, for the sign-in audit."""
    found = await uow.identity.account(username)
    account, stored = found if found else (None, _DUMMY_HASH)
    try:
        _hasher.verify(stored, secret)
        reason = ""
    except (VerificationError, InvalidHashError):
        reason = "wrong_password"
    if account is None:
        reason = "unknown_account"
    elif not reason and not account.active:
        reason = "inactive_account"
    elif not reason and account.kind != kind:
        reason = "not_a_person" if kind == "person" else "not_a_client"
    if reason:
        raise InvalidGrant("invalid_client" if kind == "client" else "invalid_grant", reason)
    assert account is not None
    if _weaker_than_ours(stored):
        await uow.identity.save_password_hash(username, _hasher.hash(secret))
    principal = await principal_of(uow, account)
    key = await current_key(uow)
    refresh = None
    if kind == "person":
        now = datetime.now(UTC)
        refresh = await _next_refresh(uow, username, uuid.uuid4().hex, now + SIGN_IN_LASTS)
    return _tokens(key, principal, refresh)


async def refresh(uow: OrganisationUnitOfWork, presented: str) -> dict:
    """RFC 6749 §6: a new access token and the next refresh token for one not used before. A
    token used twice ends its whole sign-in: one of the two holders stole it."""
    now = datetime.now(UTC)
    async with uow:
        token = await uow.identity.refresh_token(_digest(presented))
        if token is None:
            raise InvalidGrant("invalid_grant")
        try:
            token.spend(now)
        except RuleBroken as refused:
            if refused.type == "reused":
                await uow.identity.revoke_family(token.family, now)
                await uow.commit()
            raise InvalidGrant("invalid_grant") from refused
        await uow.identity.save_refresh_token(token)
        found = await uow.identity.account(token.username)
        if found is None or not found[0].active:
            raise InvalidGrant("invalid_grant")
        principal = await principal_of(uow, found[0])
        key = await current_key(uow)
        following = await _next_refresh(uow, token.username, token.family, token.expires_at)
        await uow.commit()
    return _tokens(key, principal, following)


async def revoke(uow: OrganisationUnitOfWork, presented: str) -> None:
    """RFC 7009: end the sign-in the refresh token belongs to (an unknown token: nothing to do)."""
    async with uow:
        token = await uow.identity.refresh_token(_digest(presented))
        if token is not None:
            await uow.identity.revoke_family(token.family, datetime.now(UTC))
            await uow.commit()


async def _next_refresh(
    uow: OrganisationUnitOfWork, username: str, family: str, expires_at: datetime
) -> tuple[str, datetime]:
    presented = secrets.token_urlsafe(32)
    await uow.identity.add_refresh_token(
        RefreshToken(_digest(presented), username, family, expires_at)
    )
    return presented, expires_at


def _digest(presented: str) -> str:
    # 256 random bits: a fast hash is enough (nothing to guess), unlike a password.
    return hashlib.sha256(presented.encode()).hexdigest()


def _tokens(key: SigningKey, principal: Principal, refresh: tuple[str, datetime] | None) -> dict:
    token = key.sign(claims_for(principal, lifetime_seconds=TOKEN_SECONDS))
    body: dict[str, Any] = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
    }
    if refresh is not None:
        presented, ends = refresh
        body["refresh_token"] = presented
        # Not in RFC 6749: how long the sign-in may still slide, for the refresh cookie's age.
        body["refresh_expires_in"] = max(0, int((ends - datetime.now(UTC)).total_seconds()))
    return body


async def principal_of(uow: OrganisationUnitOfWork, account: Account) -> Principal:
    """The account's scope with its alliance or streets expanded into communities."""
    s = account.scope
    communities = set(s.communities)
    if s.alliance and (alliance := await uow.org.alliances.get(s.alliance)):
        communities |= set(alliance.community_codes)
    for street in s.streets:
        communities |= {c.code for c in await uow.org.communities.list(street_code=street)}
    if s.member_unit and (unit := await uow.org.member_units.get(s.member_unit)):
        communities.add(unit.community_code)
    if s.grid_nodes:
        communities |= {
            n.community_code for n in (await uow.org.grid_nodes.many(s.grid_nodes)).values()
        }
    scope = Scope(
        alliance=s.alliance,
        communities=frozenset(communities),
        grid_nodes=frozenset(s.grid_nodes),
        department=s.department,
        member_unit=s.member_unit,
    )
    return Principal(account.username, Role(account.role), scope, account.display_name)


async def current_key(uow: OrganisationUnitOfWork, now: datetime | None = None) -> SigningKey:
    """The newest signing key, made anew once the newest is older than the rotation period."""
    now = now or datetime.now(UTC)
    keys = await uow.identity.signing_keys(since=now - KEY_ROTATES_AFTER)
    if keys:
        return keys[0][0]
    key = SigningKey.generate(uuid.uuid4().hex[:16])
    await uow.identity.add_signing_key(key)
    return key


async def jwks(uow: OrganisationUnitOfWork) -> dict[str, Any]:
    async with uow:
        keys = await uow.identity.signing_keys(since=datetime.now(UTC) - KEY_PUBLISHED_FOR)
    return {"keys": [key.public_jwk() for key, _ in keys]}


async def ensure_platform_account(uow: OrganisationUnitOfWork, password: str) -> None:
    """The platform's own account (role `service`), so tools and the demo loader can act."""
    async with uow:
        if await uow.identity.account("platform"):
            return
    await open_account(
        uow,
        username="platform",
        display_name="连心平台",
        role="service",
        scope=AccountScope(),
        secret=password,
        kind="client",
    )
