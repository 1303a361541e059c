"""A department's system on Lianxin's NATS channel, in plain nats-py: take one whistle and do
what its type asks — a new one: sign for it (接单), start (办理), report the result (反馈); a
reopened one: report the new result; a cancelled one (or a type we do not know): nothing.
See docs/departments.md; docs/examples/node/department.mjs is the same in nats.js.

    pip install nats-py
    eval "$(lianxin nats-credentials power_supply --env)"   # or the values the platform gave you
    python docs/examples/department_nats.py

Nothing here comes from Lianxin's code: only the NATS subjects and the JSON event contract
(docs/contracts/events/*.json).

On a NATS cluster a report may meet a stream electing a new leader (no answer for a few
seconds) or a client reconnecting to another node (no ack in time): it is published again, with
the same `Nats-Msg-Id`, until the stream acks it. A fetch may meet the consumer electing its
leader (answered 503 at once): it is asked again. `LIANXIN_NATS_URL` may name several servers,
comma-separated; the user and password go to the client as options, never inside the URL, so
that the servers the cluster advertises accept them too.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import UTC, datetime

import nats
from nats.js.errors import NoStreamResponseError, ServiceUnavailableError

WHISTLE = "cn.lianxin.incidents.assignment."
# What we report for each whistle type, in order: (kind, fields).
REPORTS = {
    WHISTLE + "dispatched.v1": [
        ("acknowledged", {"note": "已接单"}),
        ("started", {"note": "抢修队出发"}),
        ("resolved", {"result": "已处理完毕"}),
    ],
    # The resident was not satisfied: the assignment is ours again, already in progress.
    WHISTLE + "reopened.v1": [("resolved", {"result": "复查后已处理完毕"})],
    # The incident was cancelled or merged: stop, report nothing.
    WHISTLE + "cancelled.v1": [],
}


# What a publish meets while the cluster recovers: no stream answering (a leader election), no
# JetStream for a moment, no ack in time (reconnecting). Worth another try; anything else is not.
PASSING = (NoStreamResponseError, ServiceUnavailableError, nats.errors.TimeoutError)


def report_id(assignment_id: str, kind: str, whistle_id: str) -> str:
    """The same report always gets the same id, a new whistle a new one: a report sent twice (a
    crash between publish and ack) is dropped by the stream, and the result after a reopening
    (a new whistle, a new id) is not mistaken for the first one."""
    return str(uuid.uuid5(uuid.UUID(assignment_id), f"{kind}:{whistle_id}"))


def report(
    code: str, kind: str, whistle: dict, traceparent: str | None, **fields: str
) -> tuple[str, dict]:
    """A report as a CloudEvent, and the subject it goes to: `report.<code>.assignment_<kind>`."""
    assignment_id = whistle["data"]["assignment_id"]
    event = {
        "specversion": "1.0",
        "id": report_id(assignment_id, kind, whistle["id"]),
        "source": f"/departments/{code}",
        "type": f"cn.lianxin.departments.assignment.{kind}.v1",
        "subject": assignment_id,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "dataschema": f"urn:lianxin:schema:cn.lianxin.departments.assignment.{kind}.v1",
        "data": {"assignment_id": assignment_id, "department_code": code, **fields},
    }
    if traceparent:
        event["traceparent"] = traceparent
    return f"report.{code}.assignment_{kind}", event


async def publish_until_acked(js, subject: str, payload: bytes, headers: dict[str, str]) -> None:
    """Publish until the stream acks (js.publish waits for it), the same id each time: a copy
    that landed before its ack was lost is dropped by the stream. Waits 0.1 s, 0.2 s, … 5 s."""
    delay = 0.1
    while True:
        try:
            await js.publish(subject, payload, headers=headers)
            return
        except PASSING:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def next_whistle(whistles, wait: float):
    """The next whistle within `wait` seconds (nats.errors.TimeoutError if none comes). While
    the consumer elects a leader (its node died) a fetch is answered 503 at once: ask again, a
    little later each time."""
    deadline = asyncio.get_running_loop().time() + wait
    delay = 0.1
    while True:
        left = deadline - asyncio.get_running_loop().time()
        try:
            (msg,) = await whistles.fetch(1, timeout=max(left, 0.1))
            return msg
        except ServiceUnavailableError:
            if left <= 0:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def handle_one(url: str, code: str, user: str, password: str, wait: float = 30) -> dict:
    """Pull one whistle for department `code` and answer it; return the whistle (a CloudEvent)."""
    nc = await nats.connect(
        [server.strip() for server in url.split(",")],  # one server or a cluster's several
        user=user,
        password=password,
        # The department may only receive on its own inbox prefix: replies (the whistle, the
        # stream's acks of our reports) come back there.
        inbox_prefix=f"_INBOX_{code}",
    )
    try:
        js = nc.jetstream()
        # Bind to the durable consumer the platform created for us; never create one.
        whistles = await js.pull_subscribe_bind(f"dept_{code}", stream="DISPATCH")
        msg = await next_whistle(whistles, wait)
        whistle = json.loads(msg.data)
        # The trace rule: pass the whistle's `traceparent` header on, unchanged (we start no
        # spans of our own), as each report's header and envelope attribute.
        traceparent = (msg.headers or {}).get("traceparent")
        for kind, fields in REPORTS.get(whistle["type"], []):
            subject, event = report(code, kind, whistle, traceparent, **fields)
            headers = {"Nats-Msg-Id": event["id"]}
            if traceparent:
                headers["traceparent"] = traceparent
            # Once the REPORTS stream acks it, the report is safe.
            await publish_until_acked(js, subject, json.dumps(event).encode(), headers)
        # Ack the whistle last: if we crash before this, it is redelivered, and the reports
        # above are de-duplicated.
        await msg.ack_sync()
        return whistle
    finally:
        # close, not drain: a drain waits up to 30 s (more with NATS unreachable), and Ctrl-C
        # should stop us now. An unacked whistle simply comes again.
        await nc.close()


if __name__ == "__main__":
    whistle = asyncio.run(
        handle_one(
            os.environ.get("LIANXIN_NATS_URL", "nats://127.0.0.1:4222"),
            os.environ["LIANXIN_DEPARTMENT"],
            os.environ["LIANXIN_NATS_USER"],
            os.environ["LIANXIN_NATS_PASSWORD"],
        )
    )
    print(f"{whistle['type']} {whistle['data']['assignment_id']}")
