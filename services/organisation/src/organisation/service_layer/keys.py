"""Issuing, rotating and revoking departments' NATS keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lianxin.errors import NotFound
from lianxin.messaging.nats_accounts import (
    DepartmentUser,
    department_credentials,
    department_user,
    has_nats_channel,
    new_secret,
    password_hash,
)
from organisation.domain import keys
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW


@dataclass(frozen=True)
class NatsKeyIssued:
    """A new key as its one and only showing has it: the password is in nothing stored."""

    department_code: str
    user: str
    password: str
    inbox_prefix: str
    serial: int
    issued_at: datetime
    previous_valid_until: datetime | None


async def rotate(
    uow: UoW, code: str, overlap: timedelta, now: datetime | None = None
) -> NatsKeyIssued:
    """Issue the department's next NATS key; the keys valid now stop when `overlap` ends."""
    now = now or datetime.now(UTC)
    async with uow:
        department = await uow.org.departments.get(code)
        if department is None:
            raise NotFound("department", code)
        department.ensure_active()
        keys.ensure_nats_channel(department.channels, code)
        known = await uow.keys.of(code, for_update=True)
        password = new_secret()
        key = keys.rotate(known, code, now, overlap, password_hash(password))
        await uow.keys.save([*known, key])
        await uow.commit()
    credentials = department_credentials(code, key.serial, password)
    return NatsKeyIssued(
        code,
        credentials.user,
        password,
        credentials.inbox_prefix,
        key.serial,
        key.issued_at,
        keys.previous_valid_until(known, now),
    )


async def revoke_on_retirement(uow: UoW, department: Any, now: datetime) -> None:
    """Before a department retires (inside its unit of work): its keys stop now."""
    known = await uow.keys.of(department.code, for_update=True)
    keys.revoke(known, now)
    await uow.keys.save(known)


async def listed(uow: UoW, code: str) -> list[keys.IssuedKey]:
    async with uow:
        if await uow.org.departments.get(code) is None:
            raise NotFound("department", code)
        return await uow.keys.of(code)


async def nats_users(uow: UoW, now: datetime | None = None) -> list[DepartmentUser]:
    """One NATS user per valid key of each department in service with a NATS channel: what
    `lianxin nats-config` renders into the server's accounts."""
    now = now or datetime.now(UTC)
    async with uow:
        found = await uow.keys.in_service(now)
    return [
        DepartmentUser(
            key.department_code,
            department_user(key.department_code, key.serial),
            key.stored,
        )
        for key, channels in found
        if has_nats_channel({"channels": channels})
    ]
