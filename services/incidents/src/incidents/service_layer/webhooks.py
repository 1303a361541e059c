"""Whistles to departments that take them by webhook: queued from DISPATCH, POSTed by schedule.

Every event on `dispatch.<department_code>.…` (the same CloudEvent a NATS department pulls) is
queued once per webhook URL the department registered, in the same transaction as the inbox mark.
The dispatcher then POSTs due deliveries, signed with the department's secret, and records each
attempt; a failure waits by `RETRY_SCHEDULE`, and a delivery whose schedule is spent is dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import uuid6

from incidents.adapters.webhook_keys import KeyCipher, WebhookKeys
from incidents.adapters.webhooks import Response, WebhookClient, WebhookDeliveries
from incidents.domain.webhooks import SIGNATURE_HEADER, Delivery, DeliveryStatus, sign
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.contracts import CloudEvent
from lianxin.messaging.streams import INCIDENTS_WEBHOOKS
from lianxin.telemetry import context_from, tracer

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
NO_KEY = "no signing key: none issued (POST /departments/<code>/webhook-keys) or retired"


class WebhooksUnitOfWork(IncidentsUnitOfWork):
    webhooks: WebhookDeliveries
    keys: WebhookKeys

    def _open(self) -> None:
        super()._open()
        self.webhooks = WebhookDeliveries(self.session)
        self.keys = WebhookKeys(self.session)


def webhook_urls(channels: list[dict]) -> list[str]:
    """The URLs of a department's webhook channels, each once, in the order registered."""
    urls = [c["url"] for c in channels or [] if c.get("kind") == "webhook" and c.get("url")]
    return list(dict.fromkeys(urls))


async def queue_dispatch(
    uow: WebhooksUnitOfWork, event: CloudEvent, subject: str, now: datetime
) -> int:
    """Queue the dispatched event for the department's webhooks (none: nothing). Returns how
    many deliveries were queued."""
    department_code = subject.split(".")[1]
    async with uow:
        urls = webhook_urls(await uow.webhooks.channels_of(department_code))
        # A department that takes its whistles over NATS (most): nothing to queue, so no inbox
        # mark and no commit either; a redelivery finds nothing to queue again.
        if not urls or not await uow.first_time(INCIDENTS_WEBHOOKS.durable, event.id):
            return 0
        queued = 0
        for url in urls:
            delivery = Delivery(
                id=uuid6.uuid7(),
                department_code=department_code,
                url=url,
                event_id=event.id,
                event_type=event.type,
                payload=event.model_dump(mode="json"),
                created_at=now,
            )
            queued += await uow.webhooks.add(delivery, _assignment_id(event))
        await uow.commit()
    return queued


def _assignment_id(event: CloudEvent) -> UUID | None:
    value = event.data.get("assignment_id")
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


def body_of(delivery: Delivery) -> bytes:
    """The exact bytes POSTed (and signed): the CloudEvent in structured JSON mode."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookDispatcher:
    """Claims due deliveries and makes one attempt at each, on any number of replicas."""

    def __init__(
        self,
        uow_factory: Callable[[], WebhooksUnitOfWork],
        cipher: KeyCipher,
        *,
        client: WebhookClient | None = None,
        clock: Clock,
        batch: int = 20,
        poll_seconds: float = 1.0,
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self._uow = uow_factory
        self._cipher = cipher
        self._client = client or WebhookClient()
        self._clock = clock
        self._batch = batch
        self._poll = poll_seconds
        self._lease = lease
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A delivery was just queued: try it now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                done = await self.deliver_due()
            except Exception:
                log.exception("webhook dispatcher: a round failed")
                done = 0
            if done < self._batch:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll):
                        await self._wake.wait()

    async def deliver_due(self) -> int:
        """One round: claim what is due, attempt each concurrently, record the outcomes."""
        async with self._uow() as uow:
            due = await uow.webhooks.claim_due(self._clock(), self._batch, self._lease)
            await uow.commit()
        outcomes = await asyncio.gather(*(self._attempt(d) for d in due), return_exceptions=True)
        for delivery, outcome in zip(due, outcomes, strict=True):
            if isinstance(outcome, Exception):
                # Its lease runs out and it is attempted again: nothing is lost.
                log.error("webhook delivery %s: %r", delivery.id, outcome)
        return len(due)

    async def _attempt(self, delivery: Delivery) -> None:
        body = body_of(delivery)
        at = self._clock()
        async with self._uow() as uow:
            keys = await uow.keys.signing(delivery.department_code, at)
        secrets = [self._cipher.decrypt(key.stored) for key in keys]
        if not secrets:
            # No key issued yet, or the department retired: nothing goes out unsigned, and the
            # delivery log says why (the schedule runs on; a redelivery can send it later).
            await self._record(delivery, at, Response(None, NO_KEY, 0))
            return
        headers = {
            "Content-Type": "application/cloudevents+json; charset=utf-8",
            SIGNATURE_HEADER: sign(secrets, body, int(at.timestamp())),
            # Stable across attempts: a receiver de-duplicates by it (or by the event's `id`).
            "X-Lianxin-Delivery": str(delivery.id),
            "X-Lianxin-Attempt": str(delivery.attempts + 1),
            "User-Agent": "lianxin-webhooks/1",
        }
        # The POST continues the incident's trace (httpx instrumentation sends traceparent).
        parent = context_from({"traceparent": delivery.payload.get("traceparent") or ""})
        with tracer.start_as_current_span(
            f"webhook {delivery.department_code} deliver", context=parent
        ) as span:
            span.set_attribute("lianxin.webhook.delivery_id", str(delivery.id))
            span.set_attribute("lianxin.webhook.attempt", delivery.attempts + 1)
            answer = await self._client.post(delivery.url, body, headers)
        await self._record(delivery, at, answer)

    async def _record(self, delivery: Delivery, at: datetime, answer: Response) -> None:
        async with self._uow() as uow:
            current = await uow.webhooks.get(delivery.id, for_update=True)
            if current is None or current.attempts != delivery.attempts:
                return  # another replica took it after our lease ran out: its record stands
            current.record(at, answer.status_code, answer.error, answer.duration_ms)
            await uow.webhooks.save(current)
            await uow.commit()
        if current.status is DeliveryStatus.DEAD:
            log.warning("webhook delivery %s to %s is dead", delivery.id, delivery.url)
