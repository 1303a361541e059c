"""Issuing departments' webhook signing keys (the dispatcher signs with `uow.keys.signing`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from incidents.adapters.webhook_keys import KeyCipher
from incidents.domain.webhooks import new_signing_key
from incidents.service_layer.webhooks import WebhooksUnitOfWork, webhook_urls
from lianxin import keys
from lianxin.errors import Conflict, NotFound


@dataclass(frozen=True)
class Issued:
    """A new signing key as its one and only showing has it."""

    department_code: str
    secret: str
    serial: int
    issued_at: datetime
    previous_valid_until: datetime | None


async def rotate(
    uow: WebhooksUnitOfWork, code: str, cipher: KeyCipher, overlap: timedelta, now: datetime
) -> Issued:
    """Issue the department's next signing key; the keys valid now sign too until `overlap`
    ends, then stop."""
    async with uow:
        department = await _department(uow, code)
        if department.retired_at is not None:
            raise Conflict(f"department {code} is retired")
        if not webhook_urls(department.channels):
            raise Conflict(f"department {code} has no webhook channel")
        known = await uow.keys.of(code, for_update=True)
        secret = new_signing_key()
        key = keys.rotate(known, code, now, overlap, cipher.encrypt(secret))
        await uow.keys.save([*known, key])
        await uow.commit()
    return Issued(code, secret, key.serial, now, keys.previous_valid_until(known, now))


async def _department(uow: WebhooksUnitOfWork, code: str):
    found = await uow.keys.department(code)
    if found is None:
        raise NotFound("department", code)
    return found


async def listed(uow: WebhooksUnitOfWork, code: str) -> list[keys.IssuedKey]:
    async with uow:
        await _department(uow, code)
        return await uow.keys.of(code)
