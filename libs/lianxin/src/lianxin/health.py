"""`/healthz`, `/readyz` and `/metrics`, the same in every service."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Table, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from lianxin.auth import Role, require
from lianxin.errors import Conflict, NotFound
from lianxin.persistence.migrations import current_revision, head_revision

if TYPE_CHECKING:
    from lianxin.service import Runtime


async def readiness(rt: Runtime) -> dict[str, str]:
    """Each dependency's state: "ok" or what is wrong."""
    checks: dict[str, str] = {}
    checks["nats"] = "ok" if rt.nc is not None and rt.nc.is_connected else "not connected"
    if rt.engine is not None and rt.migrations_package is not None:
        try:
            async with rt.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            current = await current_revision(rt.engine)
            head = head_revision(rt.migrations_package)
            checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
        except Exception as exc:
            checks["database"] = f"unreachable: {exc.__class__.__name__}"
    return checks


async def outbox_status(session: AsyncSession, outbox: Table, *, shown: int = 20) -> dict:
    """The outbox as operators see it: how many events wait, how many of those failed to publish
    at least once, and the oldest waiting rows (the relay publishes in order, so the first one
    with attempts is the one holding the rest back)."""
    unsent = outbox.c.sent_at.is_(None)
    counts = (
        await session.execute(
            select(
                func.count().label("unsent"),
                func.count().filter(outbox.c.attempts > 0).label("failing"),
            ).where(unsent)
        )
    ).one()
    rows = await session.execute(
        select(
            outbox.c.id,
            outbox.c.event_id,
            outbox.c.subject,
            outbox.c.created_at,
            outbox.c.attempts,
            outbox.c.last_error,
        )
        .where(unsent)
        .order_by(outbox.c.id)
        .limit(shown)
    )
    return {
        "unsent": counts.unsent,
        "failing": counts.failing,
        "oldest_unsent": [dict(row._mapping) for row in rows],
    }


def health_router() -> APIRouter:
    """Probes and metrics: public, as orchestrators and Prometheus expect."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        checks = await readiness(request.app.state.runtime)
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def operations_router() -> APIRouter:
    """What operators look at: the outbox backlog and the dead letters (which hold payloads),
    and replaying a dead letter once the cause is fixed."""
    router = APIRouter(tags=["operations"], dependencies=[Depends(require(Role.ALLIANCE_ADMIN))])

    @router.get("/ops/outbox")
    async def outbox(request: Request) -> dict:
        """Events written but not yet published to JetStream, and the oldest of them with the
        publish attempts that failed and the last error."""
        rt = request.app.state.runtime
        if rt.sessions is None:
            return {"unsent": 0, "failing": 0, "oldest_unsent": []}
        async with rt.sessions() as session:
            return await outbox_status(session, rt.outbox)

    @router.get("/ops/dead-letters")
    async def dead_letters(request: Request) -> list[dict]:
        """What this service's consumers terminated or gave up on, newest first."""
        rt = request.app.state.runtime
        if rt.sessions is None:
            return []
        table = rt.dead_letters
        async with rt.sessions() as session:
            rows = await session.execute(select(table).order_by(table.c.id.desc()).limit(200))
        return [dict(row._mapping) for row in rows]

    @router.post("/ops/dead-letters/{dead_letter_id}/replay")
    async def replay_dead_letter(
        request: Request, dead_letter_id: int = Path(ge=1, le=2**63 - 1)
    ) -> dict:
        """Publish a dead letter's original message to its subject again, after a fix: the
        consumer that gave up on it gets it anew (consumers that took it once skip it by their
        inbox, which keys on the event's own id)."""
        rt = request.app.state.runtime
        if rt.sessions is None or rt.js is None:
            raise NotFound("dead letter", dead_letter_id)
        table = rt.dead_letters
        async with rt.sessions() as session:
            letter = (
                await session.execute(select(table).where(table.c.id == dead_letter_id))
            ).first()
        if letter is None:
            raise NotFound("dead letter", dead_letter_id)
        if letter.subject is None or letter.payload is None:
            raise Conflict(
                "the message had left its stream when it was given up on: nothing to replay"
            )
        # A fresh message id: the stream would drop the original one as a duplicate.
        headers = {k: v for k, v in (letter.headers or {}).items() if not k.startswith("Nats-")}
        headers["Nats-Msg-Id"] = f"replay-{rt.name}-{letter.id}-{uuid.uuid4().hex[:12]}"
        ack = await rt.js.publish(letter.subject, letter.payload.encode(), headers=headers)
        async with rt.sessions() as session, session.begin():
            replayed_at = await session.scalar(
                update(table)
                .where(table.c.id == dead_letter_id)
                .values(replayed_at=func.now())
                .returning(table.c.replayed_at)
            )
        return {
            "id": dead_letter_id,
            "subject": letter.subject,
            "stream": ack.stream,
            "stream_seq": ack.seq,
            "replayed_at": replayed_at,
        }

    return router
