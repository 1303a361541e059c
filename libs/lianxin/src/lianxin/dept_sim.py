"""A department's system, simulated with plain nats-py exactly as an outside department would.

It pulls whistles from its own durable consumer `dept_<code>` on the DISPATCH stream, signs for
each (report `assignment_acknowledged`), then reports it resolved, publishing to
`report.<code>.…` with a `Nats-Msg-Id` and the W3C trace context it received. It does not use the
platform's own messaging code: only the documented JSON contract (see docs/departments.md).

The other whistle types: a reopened assignment is worked on again (resolved); cancelled,
reassigned and withdrawn ones are dropped (the department stops working on them, and a later
message about them is only acked); an urge and a decision on more time are logged.
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


def report_event(
    code: str, kind: str, assignment_id: str, *, again: str = "", **fields: str
) -> dict:
    # A stable id per (assignment, kind): a re-sent report is de-duplicated, never applied twice.
    # `again` names a later round of the same report (the reopening's whistle id).
    event_id = str(uuid.uuid5(uuid.UUID(assignment_id), kind + again))
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": f"/departments/{code}",
        "type": f"cn.lianxin.departments.assignment.{kind}.v1",
        "subject": assignment_id,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "dataschema": f"urn:lianxin:schema:cn.lianxin.departments.assignment.{kind}.v1",
        "data": {"assignment_id": assignment_id, "department_code": code, **fields},
    }


async def send_report(
    js, code: str, kind: str, assignment_id: str, *, again: str = "", **fields: str
) -> None:
    event = report_event(code, kind, assignment_id, again=again, **fields)
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
        await js.publish(subject, json.dumps(event).encode(), headers=headers)


async def handle(js, code: str, msg, resolve_after: float) -> None:
    whistle = json.loads(msg.data)
    assignment = whistle["data"]
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
        await _act(js, code, whistle["type"], assignment, resolve_after, whistle["id"])
    await msg.ack()


# What each whistle type asks of the department (the `type` up to its version).
DISPATCHED = "cn.lianxin.incidents.assignment.dispatched"
REOPENED = "cn.lianxin.incidents.assignment.reopened"
STOP = {
    "cn.lianxin.incidents.assignment.cancelled": "cancelled",
    "cn.lianxin.incidents.assignment.reassigned": "reassigned",
    "cn.lianxin.incidents.assignment.withdrawn": "withdrawn",
}
# Assignments this department stopped working on (in this process's memory).
stopped: set[str] = set()


async def _act(
    js, code: str, event_type: str, assignment: dict, resolve_after: float, whistle_id: str = ""
) -> None:
    kind = event_type.rsplit(".", 1)[0]
    assignment_id = assignment["assignment_id"]
    if kind in STOP:
        stopped.add(assignment_id)
        log.info("assignment %s %s: stopped working on it", assignment_id, STOP[kind])
        return
    if assignment_id in stopped:
        log.info("assignment %s: no longer ours, %s ignored", assignment_id, kind)
        return
    if kind not in (DISPATCHED, REOPENED):
        # Urged (催办), more time granted or refused: noted; the work goes on as it was.
        log.info("assignment %s: %s %s", assignment_id, kind.rsplit(".", 1)[-1], assignment)
        return
    if kind == DISPATCHED:
        log.info("whistle %s: %s", assignment_id, assignment["description"])
        await send_report(js, code, "acknowledged", assignment_id, note="已接单")
    await asyncio.sleep(resolve_after)
    # A reopened assignment's result is a new report, not a repeat of the first one.
    again = whistle_id if kind == REOPENED else ""
    await send_report(js, code, "resolved", assignment_id, again=again, result=f"{code} 已处理完毕")


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
