"""Accounts, signing keys and refresh tokens: organisation's identity tables and their
repository."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, LargeBinary, Table, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from lianxin.auth import SigningKey
from organisation.adapters.orm import metadata
from organisation.domain.identity import Account, AccountScope, RefreshToken

accounts = Table(
    "accounts",
    metadata,
    Column("username", Text, primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("scope", JSONB, nullable=False),
    Column("kind", Text, nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id; a client's secret likewise
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    Column("private_pem", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Only a digest of each refresh token: a copy of the table signs no one in.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("digest", Text, primary_key=True),  # SHA-256 of the token, hex
    Column("username", Text, nullable=False),
    Column("family", Text, nullable=False, index=True),  # one sign-in's chain of tokens
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

_REFRESH_FIELDS = ("digest", "username", "family", "expires_at", "used_at", "revoked_at")


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def account(self, username: str) -> tuple[Account, str] | None:
        """The account and its password hash."""
        row = (
            await self.session.execute(select(accounts).where(accounts.c.username == username))
        ).first()
        return (_account(row), row.password_hash) if row else None

    async def accounts(self) -> list[Account]:
        rows = await self.session.execute(select(accounts).order_by(accounts.c.username))
        return [_account(r) for r in rows]

    async def add_account(self, account: Account, password_hash: str) -> None:
        await self.session.execute(
            accounts.insert().values(
                username=account.username,
                display_name=account.display_name,
                role=account.role,
                scope=account.scope.plain(),
                kind=account.kind,
                password_hash=password_hash,
                active=account.active,
            )
        )

    async def save_account(self, account: Account) -> None:
        await self.session.execute(
            accounts.update()
            .where(accounts.c.username == account.username)
            .values(active=account.active, display_name=account.display_name)
        )

    async def save_password_hash(self, username: str, password_hash: str) -> None:
        await self.session.execute(
            accounts.update()
            .where(accounts.c.username == username)
            .values(password_hash=password_hash)
        )

    async def signing_keys(self, since: datetime) -> list[tuple[SigningKey, datetime]]:
        """Keys created since `since`, newest first."""
        rows = await self.session.execute(
            select(signing_keys)
            .where(signing_keys.c.created_at >= since)
            .order_by(signing_keys.c.created_at.desc())
        )
        return [(SigningKey(r.kid, r.private_pem), r.created_at) for r in rows]

    async def add_signing_key(self, key: SigningKey) -> None:
        await self.session.execute(
            signing_keys.insert().values(kid=key.kid, private_pem=key.private_pem)
        )

    async def add_refresh_token(self, token: RefreshToken) -> None:
        await self.session.execute(
            refresh_tokens.insert().values({f: getattr(token, f) for f in _REFRESH_FIELDS})
        )

    async def refresh_token(self, digest: str) -> RefreshToken | None:
        """The token with this digest, locked: two refreshes with one token run one at a time."""
        row = (
            await self.session.execute(
                select(refresh_tokens).where(refresh_tokens.c.digest == digest).with_for_update()
            )
        ).first()
        return RefreshToken(**{f: getattr(row, f) for f in _REFRESH_FIELDS}) if row else None

    async def save_refresh_token(self, token: RefreshToken) -> None:
        await self.session.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.digest == token.digest)
            .values(used_at=token.used_at, revoked_at=token.revoked_at)
        )

    async def revoke_family(self, family: str, now: datetime) -> None:
        """End a sign-in: every token of its chain, the one not used yet included."""
        await self.session.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.family == family, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def _account(row) -> Account:
    scope = AccountScope.of(row.scope)
    return Account(row.username, row.display_name, row.role, scope, row.kind, row.active)
