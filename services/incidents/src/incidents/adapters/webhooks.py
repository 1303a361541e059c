"""Webhook deliveries in the incidents database, and the HTTP client that makes the attempts.

`webhook_deliveries` is an outbox towards departments' URLs: one row per event and URL, claimed by
any replica with `FOR UPDATE SKIP LOCKED`; `webhook_attempts` is the delivery log, one row per
POST, kept after the delivery succeeds or dies.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import httpx
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncSession

from incidents.adapters.orm import departments, metadata
from incidents.adapters.read_cache import read_cache
from incidents.adapters.rows import RowMapping
from incidents.domain.webhooks import Attempt, Delivery, DeliveryStatus
from lianxin.http_clients import async_client
from lianxin.webhook_targets import UnsafeTarget, safe_addresses

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", PgUUID(as_uuid=True), primary_key=True),
    Column("department_code", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    # The assignment the event is about, when it is about one: what the log is searched by.
    Column("assignment_id", PgUUID(as_uuid=True)),
    Column("payload", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("schedule_start", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_status_code", Integer),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # A redelivered event (JetStream at-least-once) must not be POSTed twice.
    UniqueConstraint("event_id", "url", name="webhook_deliveries_event_url"),
    Index("webhook_deliveries_department", "department_code", "created_at"),
    Index(
        "webhook_deliveries_due",
        "next_attempt_at",
        postgresql_where=text("status = 'pending'"),
    ),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "delivery_id",
        PgUUID(as_uuid=True),
        ForeignKey("webhook_deliveries.id"),
        nullable=False,
        index=True,
    ),
    Column("number", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer),
    Column("error", Text, nullable=False, server_default=""),
    Column("duration_ms", Integer, nullable=False, server_default="0"),
)


# `created_at` is written once, by `add`; `assignment_id` is the log's, not the delivery's.
DELIVERY = RowMapping(
    Delivery,
    webhook_deliveries,
    outside=("assignment_id", "created_at", "updated_at"),
    dump={"status": lambda d: d.status.value},
    load={"status": lambda r: DeliveryStatus(r.status)},
)
ATTEMPT = RowMapping(
    Attempt,
    webhook_attempts,
    outside=("id", "delivery_id"),
    dump={"error": lambda a: a.error[:2000]},
)


class WebhookDeliveries:
    """The deliveries and their log, over one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, delivery: Delivery, assignment_id: UUID | None = None) -> bool:
        """Queue a delivery; False when this event was already queued for this URL."""
        inserted = await self.session.execute(
            insert(webhook_deliveries)
            .values(
                **DELIVERY.values(
                    delivery, assignment_id=assignment_id, created_at=delivery.created_at
                )
            )
            .on_conflict_do_nothing(constraint="webhook_deliveries_event_url")
            .returning(webhook_deliveries.c.id)
        )
        return inserted.first() is not None

    async def channels_of(self, department_code: str) -> list[dict]:
        """The department's channels as incidents' read model has them (none if unknown).
        Every dispatch asks: remembered a few seconds (`read_cache`)."""

        async def load():
            return await self.session.scalar(
                select(departments.c.channels).where(departments.c.code == department_code)
            )

        found = await read_cache(self.session).get(("channels", department_code), load)
        return list(found or [])

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
        """The pending deliveries due by `now`, leased for `lease`: another replica (or this one
        after a crash) takes them again only when the lease runs out."""
        d = webhook_deliveries
        rows = (
            await self.session.execute(
                select(d)
                .where(d.c.status == DeliveryStatus.PENDING.value, d.c.next_attempt_at <= now)
                .order_by(d.c.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if rows:
            await self.session.execute(
                d.update()
                .where(d.c.id.in_([r.id for r in rows]))
                .values(next_attempt_at=now + lease, updated_at=func.now())
            )
        return [DELIVERY.instance(r) for r in rows]

    async def get(self, delivery_id: UUID, *, for_update: bool = False) -> Delivery | None:
        query = select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return DELIVERY.instance(row) if row else None

    async def save(self, delivery: Delivery) -> None:
        """Write the delivery's state and the attempts it made since it was read."""
        await self.session.execute(
            webhook_deliveries.update()
            .where(webhook_deliveries.c.id == delivery.id)
            .values(**DELIVERY.values(delivery, updated_at=func.now()))
        )
        for attempt in delivery.new_attempts:
            await self.session.execute(
                webhook_attempts.insert().values(**ATTEMPT.values(attempt, delivery_id=delivery.id))
            )
        delivery.new_attempts.clear()

    async def log(self, department_code: str, status: str | None, limit: int) -> list[Entry]:
        """A department's deliveries, newest first, each with its assignment and attempts."""
        d = webhook_deliveries
        query = select(d).where(d.c.department_code == department_code)
        if status:
            query = query.where(d.c.status == status)
        query = query.order_by(d.c.created_at.desc(), d.c.id.desc()).limit(limit)
        return await self._entries((await self.session.execute(query)).all())

    async def entry(self, delivery_id: UUID) -> Entry | None:
        """One delivery as the log shows it."""
        query = select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
        found = await self._entries((await self.session.execute(query)).all())
        return found[0] if found else None

    async def _entries(self, rows) -> list[Entry]:
        a = webhook_attempts
        attempts: dict[UUID, list[Attempt]] = {r.id: [] for r in rows}
        if rows:
            found = await self.session.execute(
                select(a).where(a.c.delivery_id.in_(list(attempts))).order_by(a.c.number)
            )
            for x in found:
                attempts[x.delivery_id].append(ATTEMPT.instance(x))
        return [Entry(DELIVERY.instance(r), r.assignment_id, attempts[r.id]) for r in rows]


@dataclass(frozen=True)
class Entry:
    """A line of the delivery log: the delivery, the assignment it is about, its attempts."""

    delivery: Delivery
    assignment_id: UUID | None
    attempts: list[Attempt]


@dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str
    duration_ms: int


class WebhookClient:
    """POSTs one signed body; never raises for what the department's side does wrong.

    The URL's host is resolved and every address checked (`lianxin.webhook_targets`) before each
    POST, and the POST connects to the checked address itself (TLS still verifies the host's
    name): a DNS answer that changed since registration, or changes between the check and the
    connect (rebinding), cannot turn a whistle towards the platform's own network."""

    def __init__(self, timeout: float = 10.0, *, allow_private: bool = False) -> None:
        self._timeout = timeout
        self._allow_private = allow_private

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        started = time.perf_counter()
        try:
            addresses = await safe_addresses(url, allow_private=self._allow_private)
        except UnsafeTarget as unsafe:
            return Response(None, f"refused: {unsafe}", _ms(started))
        request = _pinned(url, addresses[0], headers) if addresses else (url, headers, {})
        target, sent_headers, extensions = request
        try:
            # No redirects: a signed whistle goes only to the URL the department registered.
            async with async_client(timeout=self._timeout, follow_redirects=False) as http:
                answer = await http.post(
                    target, content=body, headers=sent_headers, extensions=extensions
                )
        except httpx.HTTPError as exc:
            return Response(None, f"{type(exc).__name__}: {exc}"[:500], _ms(started))
        error = "" if answer.is_success else answer.text[:500]
        return Response(answer.status_code, error, _ms(started))


def _pinned(url: str, address: str, headers: dict[str, str]) -> tuple[str, dict, dict]:
    """`url` aimed at `address`, with the Host header and TLS server name of its own host."""
    parts = httpx.URL(url)
    pinned = str(parts.copy_with(host=address))
    named = parts.host if parts.port is None else f"{parts.host}:{parts.port}"
    return pinned, {**headers, "Host": named}, {"sni_hostname": parts.host}


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
