"""A department's system on Lianxin's NATS channel, in plain nats-py: take one whistle, sign for
it (接单), report it resolved (反馈). See docs/departments.md.

    pip install nats-py
    eval "$(lianxin nats-credentials power_supply --env)"   # or the values the platform gave you
    python docs/examples/department_nats.py

Nothing here comes from Lianxin's code: only the NATS subjects and the JSON event contract
(docs/contracts/events/*.json).
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import UTC, datetime

import nats


def report(code: str, kind: str, assignment_id: str, **fields: str) -> tuple[str, dict]:
    """A report as a CloudEvent, and the subject it goes to: `report.<code>.assignment_<kind>`."""
    event = {
        "specversion": "1.0",
        # The same id for the same report: if we send it twice (a crash between publish and ack),
        # the stream drops the copy (Nats-Msg-Id) and Lianxin never applies it twice.
        "id": str(uuid.uuid5(uuid.UUID(assignment_id), kind)),
        "source": f"/departments/{code}",
        "type": f"cn.lianxin.departments.assignment.{kind}.v1",
        "subject": assignment_id,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "dataschema": f"urn:lianxin:schema:cn.lianxin.departments.assignment.{kind}.v1",
        "data": {"assignment_id": assignment_id, "department_code": code, **fields},
    }
    return f"report.{code}.assignment_{kind}", event


async def handle_one(url: str, code: str, user: str, password: str, wait: float = 30) -> dict:
    """Pull one whistle for department `code`, sign for it, resolve it; return the whistle."""
    nc = await nats.connect(
        url,
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
        (msg,) = await whistles.fetch(1, timeout=wait)
        whistle = json.loads(msg.data)["data"]
        assignment_id = whistle["assignment_id"]
        for kind, fields in (
            ("acknowledged", {"note": "已接单"}),
            ("resolved", {"result": "已处理完毕"}),
        ):
            subject, event = report(code, kind, assignment_id, **fields)
            # js.publish waits for the REPORTS stream's ack: then the report is safe.
            await js.publish(
                subject, json.dumps(event).encode(), headers={"Nats-Msg-Id": event["id"]}
            )
        # Ack the whistle last: if we crash before this, it is redelivered, and the reports
        # above are de-duplicated.
        await msg.ack_sync()
        return whistle
    finally:
        await nc.drain()


if __name__ == "__main__":
    whistle = asyncio.run(
        handle_one(
            os.environ.get("LIANXIN_NATS_URL", "nats://127.0.0.1:4222"),
            os.environ["LIANXIN_DEPARTMENT"],
            os.environ["LIANXIN_NATS_USER"],
            os.environ["LIANXIN_NATS_PASSWORD"],
        )
    )
    print(f"resolved {whistle['assignment_id']}: {whistle['description']}")
