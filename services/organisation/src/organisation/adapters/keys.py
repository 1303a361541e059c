"""Departments' NATS keys in organisation's database: a bcrypt hash per key, never the password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Table, Text, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lianxin.keys import IssuedKey
from organisation.adapters.orm import departments, metadata

department_nats_keys = Table(
    "department_nats_keys",
    metadata,
    Column("department_code", Text, ForeignKey("departments.code"), primary_key=True),
    Column("serial", Integer, primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
)


def _key(row) -> IssuedKey:
    return IssuedKey(
        row.department_code, row.serial, row.password_hash, row.issued_at, row.expires_at
    )


class KeysRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, department_code: str, *, for_update: bool = False) -> list[IssuedKey]:
        """The department's keys, expired ones too, oldest first."""
        k = department_nats_keys
        query = select(k).where(k.c.department_code == department_code).order_by(k.c.serial)
        if for_update:
            query = query.with_for_update()
        return [_key(r) for r in (await self.session.execute(query)).all()]

    async def save(self, keys: list[IssuedKey]) -> None:
        """Insert new keys and write the ends of known ones."""
        k = department_nats_keys
        for key in keys:
            found = await self.session.scalar(
                select(k.c.serial).where(
                    k.c.department_code == key.department_code, k.c.serial == key.serial
                )
            )
            if found is None:
                await self.session.execute(
                    k.insert().values(
                        department_code=key.department_code,
                        serial=key.serial,
                        password_hash=key.stored,
                        issued_at=key.issued_at,
                        expires_at=key.expires_at,
                    )
                )
            else:
                await self.session.execute(
                    k.update()
                    .where(k.c.department_code == key.department_code, k.c.serial == key.serial)
                    .values(expires_at=key.expires_at)
                )

    async def valid(self, now: datetime) -> list[tuple[IssuedKey, list]]:
        """Every key valid at `now` of a department in service, with the department's channels
        (a department whose NATS channel was removed keeps its keys but gets no user)."""
        k, d = department_nats_keys, departments
        rows = await self.session.execute(
            select(k, d.c.channels)
            .join(d, d.c.code == k.c.department_code)
            .where(d.c.retired_at.is_(None), or_(k.c.expires_at.is_(None), k.c.expires_at > now))
            .order_by(k.c.department_code, k.c.serial)
        )
        return [(_key(r), r.channels) for r in rows]
