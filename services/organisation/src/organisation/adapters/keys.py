"""Departments' NATS keys in organisation's database: a bcrypt hash per key, never the password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.ext.asyncio import AsyncSession

from lianxin.keys import IssuedKey
from lianxin.persistence.issued_keys import IssuedKeys, key_table
from organisation.adapters.orm import departments, metadata

department_nats_keys = key_table(
    "department_nats_keys", metadata, "password_hash", ForeignKey("departments.code")
)


class KeysRepository(IssuedKeys):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, department_nats_keys, "password_hash")

    async def in_service(self, now: datetime) -> list[tuple[IssuedKey, list]]:
        """Every key valid at `now` of a department in service, with the department's channels
        (a department whose NATS channel was removed keeps its keys but gets no user)."""
        k, d = department_nats_keys, departments
        rows = await self.session.execute(
            self.valid(now)
            .add_columns(d.c.channels)
            .join(d, d.c.code == k.c.department_code)
            .where(d.c.retired_at.is_(None))
            .order_by(k.c.department_code, k.c.serial)
        )
        return [(self.key(r), r.channels) for r in rows]
