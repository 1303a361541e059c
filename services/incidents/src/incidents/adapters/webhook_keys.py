"""Departments' webhook signing keys in incidents' database, encrypted at rest.

incidents must sign with a key, so it cannot keep only a hash: each key is a Fernet token
(AES-128-CBC + HMAC-SHA256) under the deployment's `LIANXIN_KEYS_ENCRYPTION_KEY`, which lives in
the deployment's settings and never in the database. A copy of the table signs nothing.
"""

from __future__ import annotations

from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import departments, metadata
from lianxin.keys import IssuedKey
from lianxin.persistence.issued_keys import IssuedKeys, key_table

webhook_keys = key_table("webhook_keys", metadata, "ciphertext")


class KeyCipher:
    """Encrypts and decrypts signing keys with the deployment's key."""

    def __init__(self, encryption_key: str) -> None:
        try:
            self._fernet = Fernet(encryption_key.encode())
        except ValueError as bad:
            raise ValueError(
                "LIANXIN_KEYS_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes "
                "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key()"
                ".decode())')"
            ) from bad

    def encrypt(self, key: str) -> str:
        return self._fernet.encrypt(key.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as wrong:
            raise ValueError("a webhook key does not decrypt: another encryption key?") from wrong


class WebhookKeys(IssuedKeys):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, webhook_keys, "ciphertext")

    async def department(self, code: str):
        """The department as incidents' read model has it (channels, retired_at), or None."""
        d = departments
        query = select(d.c.channels, d.c.retired_at).where(d.c.code == code)
        return (await self.session.execute(query)).first()

    async def signing(self, department_code: str, now: datetime) -> list[IssuedKey]:
        """The keys to sign with now, newest first: none for a retired department (or one
        incidents does not know), so its webhook stops at once."""
        k, d = webhook_keys, departments
        rows = await self.session.execute(
            self.valid(now)
            .join(d, d.c.code == k.c.department_code)
            .where(k.c.department_code == department_code, d.c.retired_at.is_(None))
            .order_by(k.c.serial.desc())
        )
        return [self.key(r) for r in rows]
