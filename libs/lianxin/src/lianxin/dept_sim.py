"""A department's system, simulated with plain nats-py exactly as an outside department would.

It pulls whistles from its own durable consumer `dept_<code>` on the DISPATCH stream and answers
each as docs/departments.md says: a new one is signed for and resolved; a reopened one
resolved again; a cancelled one (or a type it does not know) only acked. Reports go to
`report.<code>.…` with the documented id recipe as `Nats-Msg-Id`, and with the trace context of
its own span, a child of the whistle's (the guide's trace rule for a system that traces). It
does not use the platform's own messaging code: only the documented JSON contract.

A reassigned or withdrawn assignment is dropped like a cancelled one (later news of it is only
acked); an urge and a decision on more time are logged, and the work goes on as it was.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime

import nats
from nats.js.errors import NotFoundError
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

log = logging.getLogger("dept-sim")
tracer = trace.get_tracer("lianxin.dept_sim")


WHISTLE = "cn.lianxin.incidents.assignment."
# What a department reports for each whistle type, in order (docs/departments.md).
STEPS: dict[str, tuple[str, ...]] = {
    WHISTLE + "dispatched.v1": ("acknowledged", "resolved"),
    WHISTLE + "reopened.v1": ("resolved",),
}
# Whistles that take the assignment away: stop working on it.
STOP = {WHISTLE + kind + ".v1" for kind in ("cancelled", "reassigned", "withdrawn")}
stopped: set[str] = set()  # assignments taken away, in memory only


def steps_for(whistle: dict) -> tuple[str, ...]:
    """The reports to send for this whistle; none for an assignment taken away, an urge, a
    decision on more time, or a type the simulator does not know."""
    assignment_id = whistle["data"]["assignment_id"]
    if whistle["type"] in STOP:
        stopped.add(assignment_id)
    if assignment_id in stopped:
        return ()
    return STEPS.get(whistle["type"], ())


def report_id(assignment_id: str, kind: str, whistle_id: str) -> str:
    """The guide's recipe: one id per (assignment, kind, whistle answered). A re-sent report is
    de-duplicated; the result after a reopening (a new whistle) is a new report."""
    return str(uuid.uuid5(uuid.UUID(assignment_id), f"{kind}:{whistle_id}"))


def report_event(
    code: str, kind: str, assignment_id: str, *, whistle_id: str = "", **fields: str
) -> dict:
    """The report as a CloudEvent; `whistle_id` is the id of the whistle it answers."""
    return {
        "specversion": "1.0",
        "id": report_id(assignment_id, kind, whistle_id),
        "source": f"/departments/{code}",
        "type": f"cn.lianxin.departments.assignment.{kind}.v1",
        "subject": assignment_id,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "dataschema": f"urn:lianxin:schema:cn.lianxin.departments.assignment.{kind}.v1",
        "data": {"assignment_id": assignment_id, "department_code": code, **fields},
    }


FIELDS = {
    "acknowledged": lambda code: {"note": "已接单"},
    "resolved": lambda code: {"result": f"{code} 已处理完毕"},
}


async def send_report(js, code: str, kind: str, whistle: dict, **fields: str) -> None:
    event = report_event(
        code, kind, whistle["data"]["assignment_id"], whistle_id=whistle["id"], **fields
    )
    subject = f"report.{code}.assignment_{kind}"
    with tracer.start_as_current_span(
        f"{subject} publish",
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "nats",
            "messaging.destination.name": subject,
            "messaging.message.id": event["id"],
        },
    ):
        headers = {"Nats-Msg-Id": event["id"]}
        propagate.inject(headers)
        if "traceparent" in headers:
            event["traceparent"] = headers["traceparent"]
        await js.publish(subject, json.dumps(event).encode(), headers=headers)


async def handle(js, code: str, msg, resolve_after: float) -> None:
    whistle = json.loads(msg.data)
    parent = propagate.extract(dict(msg.headers or {}))
    with tracer.start_as_current_span(
        f"{msg.subject} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "nats",
            "messaging.destination.name": msg.subject,
            "messaging.message.id": whistle["id"],
            "messaging.consumer.group.name": f"dept_{code}",
        },
    ):
        await act(js, code, whistle, resolve_after)
    await msg.ack()


async def act(js, code: str, whistle: dict, resolve_after: float) -> None:
    steps = steps_for(whistle)
    log.info("%s %s: %s", whistle["type"], whistle["data"]["assignment_id"], " ".join(steps))
    for kind in steps:
        if kind == "resolved":
            await asyncio.sleep(resolve_after)
        await send_report(js, code, kind, whistle, **FIELDS[kind](code))


async def run(
    nats_url: str, code: str, *, resolve_after: float = 0.2, limit: int | None = None, **connect
) -> int:
    """Serve whistles until `limit` have been handled (forever when None). Returns the count.

    `connect` takes nats-py's connect options, e.g. the department's `user` and `password`.
    """
    nc = await nats.connect(
        [u.strip() for u in nats_url.split(",")],
        name=f"department-{code}",
        max_reconnect_attempts=-1,
        # A department may receive only on its own inbox prefix (replies, the stream's acks).
        inbox_prefix=f"_INBOX_{code}",
        **connect,
    )
    js = nc.jetstream()
    handled = 0
    try:
        subscription = None
        while subscription is None:
            try:
                await js.consumer_info("DISPATCH", f"dept_{code}")
                subscription = await js.pull_subscribe_bind(f"dept_{code}", stream="DISPATCH")
            except NotFoundError:
                log.info("department %s has no consumer yet: is it registered?", code)
                await asyncio.sleep(1)
        while limit is None or handled < limit:
            try:
                messages = await subscription.fetch(1, timeout=1)
            except nats.errors.TimeoutError:
                continue
            for msg in messages:
                await handle(js, code, msg, resolve_after)
                handled += 1
    finally:
        await nc.drain()
    return handled
