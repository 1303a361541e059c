"""`/healthz`, `/readyz` and `/metrics`, the same in every service."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text, update

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
    async def outbox_backlog(request: Request) -> dict[str, int]:
        """Events written but not yet published to JetStream."""
        rt = request.app.state.runtime
        if rt.sessions is None:
            return {"unsent": 0}
        async with rt.sessions() as session:
            unsent = await session.scalar(
                select(func.count()).select_from(rt.outbox).where(rt.outbox.c.sent_at.is_(None))
            )
        return {"unsent": unsent}

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
    async def replay_dead_letter(dead_letter_id: int, request: Request) -> dict:
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
