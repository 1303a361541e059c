"""The webhook channel: its DISPATCH consumer, its dispatcher, and the department's view of it.

- `POST /departments/{code}/webhook-keys`: a new signing key, shown in this answer only (the
  platform's alone); the previous keys sign too until the overlap ends;
- `GET  /departments/{code}/webhook-keys`: the keys without secrets, when each stops;
- `GET  /departments/{code}/webhook-deliveries`: the delivery log (its operator, alliance admins);
- `POST /departments/{code}/webhook-deliveries/{id}/redelivery`: try a dead delivery again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from incidents.adapters.webhook_keys import KeyCipher
from incidents.adapters.webhooks import Entry, WebhookClient
from incidents.domain.webhooks import (
    SCHEME,
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    DeliveryStatus,
)
from incidents.service_layer import webhook_keys, webhooks
from lianxin.auth import Principal, Role, authenticated
from lianxin.contracts import CloudEvent, EventData
from lianxin.errors import Conflict, Forbidden, NotFound
from lianxin.messaging.subscriber import EventHandler
from lianxin.problems import Problem
from lianxin.service import Runtime, runtime

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])


def utcnow() -> datetime:
    return datetime.now(UTC)


def _uow(rt: Runtime) -> webhooks.WebhooksUnitOfWork:
    assert rt.sessions is not None and rt.outbox is not None and rt.inbox is not None
    return webhooks.WebhooksUnitOfWork(
        rt.sessions, source=f"/lianxin/{rt.name}", outbox=rt.outbox, inbox=rt.inbox
    )


class WebhookChannel:
    """The webhook channel of one process: its DISPATCH consumer queues deliveries and its
    worker sends them; the consumer wakes the worker so a whistle goes out at once."""

    def __init__(self) -> None:
        self._dispatcher: webhooks.WebhookDispatcher | None = None

    def on_dispatch(self, rt: Runtime) -> EventHandler:
        """The handler of the `INCIDENTS_WEBHOOKS` consumer."""

        async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
            queued = await webhooks.queue_dispatch(_uow(rt), event, subject, utcnow())
            # No dispatcher before the worker is up (its first round takes all that is due
            # anyway) or when webhooks are not signed: nothing to wake.
            if queued and self._dispatcher is not None:
                self._dispatcher.wake()

        return handle

    async def run_webhook_dispatcher(self, rt: Runtime) -> None:
        """The worker that POSTs due deliveries, until cancelled."""
        cipher = _cipher(rt)
        if cipher is None:
            log.warning("LIANXIN_KEYS_ENCRYPTION_KEY unset: webhooks are queued but not sent")
            return
        client = WebhookClient(allow_private=rt.settings.lianxin_webhooks_allow_private)
        self._dispatcher = webhooks.WebhookDispatcher(
            lambda: _uow(rt), cipher, client=client, clock=utcnow
        )
        try:
            await self._dispatcher.run()
        finally:
            self._dispatcher = None


async def _department(rt: Runtime, code: str, principal: Principal, *roles: Role) -> None:
    """404 for a department nobody knows; 403 unless it is the caller's or the role allows."""
    async with _uow(rt) as uow:
        known = await uow.org.known_departments([code])
    if code not in known:
        raise NotFound("department", code)
    if not (principal.is_department(code) or principal.has_role(*roles)):
        raise Forbidden(f"department {code}'s webhooks are not yours")


def _cipher(rt: Runtime) -> KeyCipher | None:
    key = rt.settings.lianxin_keys_encryption_key
    return KeyCipher(key) if key else None


class WebhookKeyIssued(BaseModel):
    department_code: str
    secret: str
    serial: int
    issued_at: datetime
    previous_valid_until: datetime | None
    signature_header: str = SIGNATURE_HEADER
    scheme: str = SCHEME
    tolerance_seconds: int = TOLERANCE_SECONDS


class WebhookKeyOut(BaseModel):
    serial: int
    issued_at: datetime
    expires_at: datetime | None


@router.post(
    "/departments/{code}/webhook-keys",
    response_model=WebhookKeyIssued,
    status_code=status.HTTP_201_CREATED,
)
async def issue_webhook_key(
    code: str, rt: Runtime = Depends(runtime), principal: Principal = Depends(authenticated)
):
    """Issue the department's next signing key: in this answer and nowhere else (incidents keeps
    it encrypted). The keys valid until now sign too for the overlap (LIANXIN_KEY_OVERLAP_HOURS,
    24 h): each delivery carries one `v1=` per key. The platform's alone, like the channel."""
    if not principal.is_platform:
        raise Forbidden("only the platform issues departments' keys")
    cipher = _cipher(rt)
    if cipher is None:
        raise Problem(503, "Service Unavailable", "webhook signing is not configured")
    overlap = timedelta(hours=rt.settings.lianxin_key_overlap_hours)
    issued = await webhook_keys.rotate(_uow(rt), code, cipher, overlap, utcnow())
    return WebhookKeyIssued(**vars(issued))


@router.get("/departments/{code}/webhook-keys", response_model=list[WebhookKeyOut])
async def list_webhook_keys(
    code: str, rt: Runtime = Depends(runtime), principal: Principal = Depends(authenticated)
):
    """The department's keys, oldest first, without secrets: which still sign, and until when
    (its own operator's to read, and the platform's)."""
    await _department(rt, code, principal)
    found = await webhook_keys.listed(_uow(rt), code)
    return [
        WebhookKeyOut(serial=k.serial, issued_at=k.issued_at, expires_at=k.expires_at)
        for k in found
    ]


class AttemptOut(BaseModel):
    number: int
    at: datetime
    status_code: int | None
    error: str
    duration_ms: int


class DeliveryOut(BaseModel):
    id: UUID
    department_code: str
    url: str
    event_id: str
    event_type: str
    assignment_id: UUID | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    attempt_log: list[AttemptOut]


def _out(entry: Entry) -> DeliveryOut:
    """The delivery as `DeliveryOut` picks it (never the payload), with its line of the log."""
    return DeliveryOut.model_validate(
        {
            **vars(entry.delivery),
            "status": entry.delivery.status.value,
            "assignment_id": entry.assignment_id,
            "attempt_log": [AttemptOut(**vars(a)) for a in entry.attempts],
        }
    )


@router.get("/departments/{code}/webhook-deliveries", response_model=list[DeliveryOut])
async def webhook_deliveries(
    code: str,
    status: Literal["pending", "delivered", "dead"] | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    rt: Runtime = Depends(runtime),
    principal: Principal = Depends(authenticated),
):
    """The department's webhook deliveries, newest first, each with every attempt made."""
    await _department(rt, code, principal, Role.ALLIANCE_ADMIN)
    async with _uow(rt) as uow:
        found = await uow.webhooks.log(code, status, limit)
    return [_out(entry) for entry in found]


@router.post(
    "/departments/{code}/webhook-deliveries/{delivery_id}/redelivery", response_model=DeliveryOut
)
async def redeliver(
    code: str,
    delivery_id: UUID,
    rt: Runtime = Depends(runtime),
    principal: Principal = Depends(authenticated),
):
    """Send a dead delivery again, on a fresh schedule (the department fixed its receiver)."""
    await _department(rt, code, principal, Role.ALLIANCE_ADMIN)
    async with _uow(rt) as uow:
        delivery = await uow.webhooks.get(delivery_id, for_update=True)
        if delivery is None or delivery.department_code != code:
            raise NotFound("webhook delivery", delivery_id)
        if delivery.status is not DeliveryStatus.DEAD:
            raise Conflict(f"delivery {delivery_id} is {delivery.status}, not dead")
        delivery.redeliver(utcnow())
        await uow.webhooks.save(delivery)
        entry = await uow.webhooks.entry(delivery_id)
        await uow.commit()
    return _out(entry)
