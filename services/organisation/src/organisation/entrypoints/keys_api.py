"""Departments' NATS keys: issue (and so rotate) one, list them, and the users NATS should have.

- `POST /departments/{code}/nats-keys`: a new key, its password shown in this answer only;
- `GET  /departments/{code}/nats-keys`: the keys, without secrets (when each stops);
- `GET  /nats-users`: every valid key's user and bcrypt hash, for `lianxin nats-config`.

The platform's only (`access.RULES`): departments' channels are the platform's to run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel

from lianxin.messaging.nats_accounts import department_user
from lianxin.service import Runtime, runtime
from organisation.entrypoints.deps import uow
from organisation.service_layer import keys
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter(tags=["departments"])


class NatsKeyOut(BaseModel):
    serial: int
    user: str
    issued_at: datetime
    expires_at: datetime | None


class NatsUserOut(BaseModel):
    department_code: str
    user: str
    password_hash: str


@router.post(
    "/departments/{code}/nats-keys",
    response_model=keys.NatsKeyIssued,
    status_code=status.HTTP_201_CREATED,
)
async def issue_nats_key(code: str, rt: Runtime = Depends(runtime), uow: UoW = Depends(uow)):
    """Issue the department's next NATS key. The password is in this answer and nowhere else
    (organisation keeps its bcrypt hash); the keys valid until now stay valid for the overlap
    (`LIANXIN_KEY_OVERLAP_HOURS`, 24 h), then stop."""
    overlap = timedelta(hours=rt.settings.lianxin_key_overlap_hours)
    return await keys.rotate(uow, code, overlap)


@router.get("/departments/{code}/nats-keys", response_model=list[NatsKeyOut])
async def list_nats_keys(code: str, uow: UoW = Depends(uow)):
    """The department's keys, oldest first: which user each names and when it stops."""
    found = await keys.listed(uow, code)
    return [
        NatsKeyOut(
            serial=k.serial,
            user=department_user(code, k.serial),
            issued_at=k.issued_at,
            expires_at=k.expires_at,
        )
        for k in found
    ]


@router.get("/nats-users", response_model=list[NatsUserOut])
async def nats_users(uow: UoW = Depends(uow)):
    """One user per valid key of each department in service with a NATS channel."""
    return [vars(user) for user in await keys.nats_users(uow)]
