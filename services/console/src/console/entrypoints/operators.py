"""The operators' pages: outbox backlog, consumer lag, dead letters (and replaying one), the
sign-in audit, and an incident's trace as a waterfall of its spans across services. Alliance
admins (and the platform) only: dead letters hold payloads, sign-ins name people and addresses,
and lag is the platform's business, not a community's."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from nats.js import JetStreamContext

from console.adapters import spans
from console.domain.waterfall import waterfall
from console.entrypoints.web import OPERATORS, PageError, Session, needs, render
from lianxin.messaging.streams import STREAMS
from lianxin.runtime.platform import DATABASE_SERVICES
from lianxin.service import Runtime, runtime

router = APIRouter()

TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
# The newest lines of organisation's sign-in audit on the page (who tried, from where, how it
# ended): a run of failures or of throttled attempts is a guesser at work.
SIGN_INS_SHOWN = 100


async def consumer_lag(js: JetStreamContext | None) -> list[dict[str, Any]]:
    """Every durable consumer on every stream, as the NATS server reports it."""
    if js is None:
        return []
    rows = []
    for stream in STREAMS:
        try:
            consumers = await js.consumers_info(stream.name)
        except Exception:  # a stream not declared yet: nothing to show for it
            continue
        for info in consumers:
            if not info.config.durable_name:
                continue  # the consoles' own ephemeral readers, if any
            rows.append(
                {
                    "stream": stream.name,
                    "consumer": info.name,
                    "pending": info.num_pending,
                    "ack_pending": info.num_ack_pending,
                    "redelivered": info.num_redelivered,
                }
            )
    return sorted(
        rows, key=lambda r: (-(r["pending"] + r["ack_pending"]), r["stream"], r["consumer"])
    )


@router.get("/operations", response_class=HTMLResponse)
async def operations(
    request: Request,
    current: Session = Depends(needs(*OPERATORS)),
    rt: Runtime = Depends(runtime),
) -> Response:
    services = current.services
    outboxes, letters, lag, signins = await asyncio.gather(
        asyncio.gather(*(services.get(s, "/ops/outbox") for s in DATABASE_SERVICES)),
        asyncio.gather(*(services.get(s, "/ops/dead-letters") for s in DATABASE_SERVICES)),
        consumer_lag(rt.js),
        services.get("organisation", "/sign-ins", limit=SIGN_INS_SHOWN),
    )
    dead_letters = [
        {**letter, "service": service}
        for service, answer in zip(DATABASE_SERVICES, letters, strict=True)
        if answer.ok
        for letter in answer.body
    ]
    return render(
        request,
        "operations.html",
        outboxes=[
            (service, answer.body["unsent"] if answer.ok else None)
            for service, answer in zip(DATABASE_SERVICES, outboxes, strict=True)
        ],
        consumers=lag,
        dead_letters=dead_letters,
        signins=signins.body if signins.ok else None,
        replayed=request.query_params.get("replayed"),
    )


@router.post("/operations/dead-letters/{service}/{dead_letter_id}/replay")
async def replay(
    service: str, dead_letter_id: int, current: Session = Depends(needs(*OPERATORS))
) -> Response:
    """Publish the dead letter's original message again, once its cause has been fixed."""
    if service not in DATABASE_SERVICES:
        raise PageError(404, "not_found")
    answer = await current.services.post(service, f"/ops/dead-letters/{dead_letter_id}/replay")
    if not answer.ok:
        raise PageError(404 if answer.status == 404 else 409, "not_found")
    return RedirectResponse(f"/operations?replayed={service}-{dead_letter_id}", status_code=303)


@router.get("/operations/traces/{trace_id}", response_class=HTMLResponse)
async def trace_page(
    trace_id: str, request: Request, current: Session = Depends(needs(*OPERATORS))
) -> Response:
    if not TRACE_ID.match(trace_id):
        raise PageError(404, "not_found")
    found = await asyncio.to_thread(spans.read_trace, spans.spans_dir(), trace_id)
    return render(
        request,
        "trace.html",
        trace=waterfall(trace_id, found),
        jaeger=spans.jaeger_url(trace_id),
        incident=None,
    )


@router.get("/operations/incidents/{incident_id}/trace", response_class=HTMLResponse)
async def incident_trace_page(
    incident_id: UUID, request: Request, current: Session = Depends(needs(*OPERATORS))
) -> Response:
    """The incident's trace and every other trace in which a span names the incident (a later
    step's own request, say), as one waterfall."""
    answer = await current.services.get("incidents", f"/incidents/{incident_id}")
    if not answer.ok:
        raise PageError(404, "not_found")
    incident = answer.body
    found = await asyncio.to_thread(
        spans.read_incident, spans.spans_dir(), str(incident_id), incident.get("trace_id")
    )
    trace_id = incident.get("trace_id")
    return render(
        request,
        "trace.html",
        trace=waterfall(str(incident_id), found),
        jaeger=spans.jaeger_url(trace_id) if trace_id else None,
        incident=incident,
    )
