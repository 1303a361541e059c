"""Sign-in throttles and the sign-in audit: organisation's tables and their repository.

The throttles live in the database, not in a process's memory, so that every organisation
replica counts the same failures; their rows are locked while an attempt is judged, so that
parallel guesses are counted one after another.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Identity, Integer, Table, Text, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from organisation.adapters.orm import metadata
from organisation.domain.signin import UNKNOWN_ACCOUNT, SignInAttempts, SignInRecord

signin_throttles = Table(
    "signin_throttles",
    metadata,
    Column("key", Text, primary_key=True),  # "account:<username>" or "address:<ip>"
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True)),
)

signin_audit = Table(
    "signin_audit",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("username", Text, nullable=False, index=True),
    Column("address", Text, nullable=False),
    Column("result", Text, nullable=False),  # succeeded, failed, throttled
    Column("reason", Text, nullable=False),
)


class SignInRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def attempts(self, keys: list[str]) -> dict[str, SignInAttempts]:
        """Each key's failures, locked for this transaction (a row made for a new key). Locked
        in the keys' order, so two attempts sharing a key cannot deadlock."""
        keys = sorted(set(keys))
        await self.session.execute(
            insert(signin_throttles)
            .values([{"key": k, "failures": 0} for k in keys])
            .on_conflict_do_nothing()
        )
        rows = await self.session.execute(
            select(signin_throttles)
            .where(signin_throttles.c.key.in_(keys))
            .order_by(signin_throttles.c.key)
            .with_for_update()
        )
        return {r.key: SignInAttempts(r.key, r.failures, r.last_failure_at) for r in rows}

    async def save_attempts(self, attempts: SignInAttempts) -> None:
        await self.session.execute(
            signin_throttles.update()
            .where(signin_throttles.c.key == attempts.key)
            .values(failures=attempts.failures, last_failure_at=attempts.last_failure_at)
        )

    async def record(self, line: SignInRecord) -> None:
        await self.session.execute(
            signin_audit.insert().values(
                at=line.at,
                username=line.username,
                address=line.address,
                result=line.result,
                reason=line.reason,
            )
        )

    async def records(
        self, *, usernames: set[str] | None, before_id: int | None = None, limit: int = 200
    ) -> list[tuple[int, SignInRecord]]:
        """The newest audit lines first (those older than `before_id`, to page back): of the
        accounts named in `usernames` (all when None) and of names that are no account."""
        query = select(signin_audit).order_by(signin_audit.c.id.desc()).limit(limit)
        if usernames is not None:
            query = query.where(
                or_(
                    signin_audit.c.username.in_(usernames),
                    signin_audit.c.reason == UNKNOWN_ACCOUNT,
                )
            )
        if before_id is not None:
            query = query.where(signin_audit.c.id < before_id)
        rows = await self.session.execute(query)
        return [(r.id, SignInRecord(r.at, r.username, r.address, r.result, r.reason)) for r in rows]
