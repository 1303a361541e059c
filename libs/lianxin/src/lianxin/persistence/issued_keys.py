"""A table of departments' issued keys (`lianxin.keys`), whatever each service stores of them:
`department_code`, `serial`, the stored form (a hash or a ciphertext), `issued_at`, `expires_at`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, Select, Table, Text, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lianxin.keys import IssuedKey


def key_columns(stored: str, *department: object) -> list[Column]:
    """The columns of such a table; `department` adds to its code column (organisation's foreign
    key). The migrations that created the tables use them too: changing them needs a migration."""
    return [
        Column("department_code", Text, *department, primary_key=True),
        Column("serial", Integer, primary_key=True),
        Column(stored, Text, nullable=False),
        Column("issued_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True)),
    ]


def key_table(name: str, metadata: MetaData, stored: str, *department: object) -> Table:
    return Table(name, metadata, *key_columns(stored, *department))


class IssuedKeys:
    """Reading and writing one such table, over one session (one transaction)."""

    def __init__(self, session: AsyncSession, table: Table, stored: str) -> None:
        self.session = session
        self.table = table
        self._stored = stored

    def key(self, row) -> IssuedKey:
        stored = getattr(row, self._stored)
        return IssuedKey(row.department_code, row.serial, stored, row.issued_at, row.expires_at)

    async def of(self, department_code: str, *, for_update: bool = False) -> list[IssuedKey]:
        """The department's keys, expired ones too, oldest first."""
        k = self.table
        query = select(k).where(k.c.department_code == department_code).order_by(k.c.serial)
        if for_update:
            query = query.with_for_update()
        return [self.key(r) for r in (await self.session.execute(query)).all()]

    async def save(self, keys: list[IssuedKey]) -> None:
        """Insert new keys and write the ends of known ones (nothing else of a key changes)."""
        k = self.table
        for key in keys:
            where = (k.c.department_code == key.department_code, k.c.serial == key.serial)
            if await self.session.scalar(select(k.c.serial).where(*where)) is None:
                values = {
                    "department_code": key.department_code,
                    "serial": key.serial,
                    self._stored: key.stored,
                    "issued_at": key.issued_at,
                    "expires_at": key.expires_at,
                }
                await self.session.execute(k.insert().values(**values))
            else:
                await self.session.execute(
                    k.update().where(*where).values(expires_at=key.expires_at)
                )

    def valid(self, now: datetime) -> Select:
        """The keys valid at `now`: a query to narrow further."""
        k = self.table
        return select(k).where(or_(k.c.expires_at.is_(None), k.c.expires_at > now))
