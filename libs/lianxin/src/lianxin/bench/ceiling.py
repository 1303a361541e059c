"""The ceiling: a bare script doing one loop's PostgreSQL commits and JetStream publishes.

Same PostgreSQL server, same NATS server, same number of concurrent workers as reporters; each
worker has one asyncpg connection, inserts into a scratch table in a scratch database and
publishes to a scratch stream (both made for the run and dropped after). No HTTP, no ORM, no
consumers, no polling: what the platform's loop would cost if its durable writes were all it did.

The platform's commits and publishes per loop, counted from the code paths (incidents'
handlers and subscribers, resources' and volunteers' escalation handlers, the outbox relay,
lianxin.dept_sim), one department taking its whistles over NATS, one incident:

| step                                                        | commits | publishes |
|-------------------------------------------------------------|--------:|----------:|
| POST /incidents: incident + outbox row                      |       1 |           |
| relay: incidents.incident.reported, marked sent             |       1 |         1 |
| POST /incidents/{id}/escalation: incident + 2 outbox rows   |       1 |           |
| relay: incidents.incident.escalated, dispatch.<dept>.…      |       1 |         2 |
| resources, wartime only: emergency offers + inbox + outbox  |       1 |           |
| relay, wartime only: resources.emergency.offers_made        |       1 |         1 |
| volunteers, wartime only: mobilisation + inbox + outbox row |       1 |           |
| relay, wartime only: volunteers.mobilisation.started        |       1 |         1 |
| department signs for: report.<dept>.assignment_acknowledged |         |         1 |
| incidents applies it: inbox + incident + outbox row         |       1 |           |
| relay: incidents.assignment.acknowledged                    |       1 |         1 |
| department resolves: report.<dept>.assignment_resolved      |         |         1 |
| incidents applies it: inbox + incident + 2 outbox rows      |       1 |           |
| relay: incidents.assignment.resolved, incident.resolved     |       1 |         2 |
| **wartime (emergency) / peacetime**                         |  12 / 8 |    10 / 8 |

Resources no longer opens a need per escalation (a peacetime escalation changes nothing there),
and incidents' webhook queue writes nothing for a department that takes its whistles over NATS.
Counted generously for the platform: the relay marks each command's rows in one commit, and
under load one relay commit may carry several loops' rows, so the platform may commit less than
this. Not counted: reads (the relay's polls, GETs, the authorisation lookups), consumers' acks,
and volunteers' peacetime skip (no transaction). When the loop changes, change `plan`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import nats
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from lianxin.messaging.streams import stream_replicas


@dataclass(frozen=True)
class Step:
    name: str
    commits: int  # 0 or 1: the step's transaction
    publishes: int  # inside the transaction when there is one (as the relay does)


def plan(*, wartime: bool) -> list[Step]:
    """One loop's durable writes in the platform's order (see the table above)."""
    steps = [
        Step("report", 1, 0),
        Step("relay reported", 1, 1),
        Step("escalate", 1, 0),
        Step("relay escalated and dispatched", 1, 2),
    ]
    if wartime:
        steps += [
            Step("resources records the emergency offers", 1, 0),
            Step("relay emergency offers made", 1, 1),
            Step("volunteers mobilise", 1, 0),
            Step("relay mobilisation started", 1, 1),
        ]
    steps += [
        Step("department signs for", 0, 1),
        Step("incidents applies acknowledged", 1, 0),
        Step("relay assignment acknowledged", 1, 1),
        Step("department resolves", 0, 1),
        Step("incidents applies resolved", 1, 0),
        Step("relay assignment and incident resolved", 1, 2),
    ]
    return steps


@dataclass(frozen=True)
class CeilingRun:
    loop_ms: list[float]
    seconds: float
    warmup: int
    commits_per_loop: int
    publishes_per_loop: int


# About the size of one of the platform's CloudEvents.
PAYLOAD = json.dumps(
    {
        "specversion": "1.0",
        "type": "cn.lianxin.bench.scratch.v1",
        "source": "/lianxin-bench",
        "datacontenttype": "application/json",
        "data": {"description": "压测: 变压器故障" * 8, "affected_households": 10},
        "traceparent": "00-" + "0" * 32 + "-" + "0" * 16 + "-01",
    }
)


def _on_database(server_url: str, database: str) -> str:
    parts = urlsplit(server_url.replace("+asyncpg", ""))
    return urlunsplit(parts._replace(path=f"/{database}"))


async def run_ceiling(
    server_url: str, nats_url: str, *, workers: int, loops: int, warmup: int, wartime: bool
) -> CeilingRun:
    steps = plan(wartime=wartime)
    scratch = f"lianxin_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(_on_database(server_url, "postgres"))
    nc = await nats.connect(nats_url, name="lianxin-bench-ceiling")
    js = nc.jetstream()
    connections: list[asyncpg.Connection] = []
    try:
        await admin.execute(f'CREATE DATABASE "{scratch}"')
        await js.add_stream(
            StreamConfig(
                name=scratch.upper(),
                subjects=[f"{scratch}.>"],
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,  # as the platform's streams
                num_replicas=stream_replicas(),
                duplicate_window=120,
            )
        )
        connections = [
            await asyncpg.connect(_on_database(server_url, scratch)) for _ in range(workers)
        ]
        await connections[0].execute(
            "CREATE TABLE scratch (id bigserial PRIMARY KEY, step text NOT NULL,"
            " payload jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())"
        )

        async def one_loop(conn: asyncpg.Connection) -> float:
            started = time.perf_counter()
            for step in steps:
                if step.commits:
                    async with conn.transaction():
                        await conn.execute(
                            "INSERT INTO scratch (step, payload) VALUES ($1, $2)",
                            step.name,
                            PAYLOAD,
                        )
                        await _publish(js, scratch, step.publishes)
                else:
                    await _publish(js, scratch, step.publishes)
            return (time.perf_counter() - started) * 1000

        async def drive(count: int) -> list[float]:
            numbers = iter(range(count))
            done: list[float] = []

            async def worker(conn: asyncpg.Connection) -> None:
                for _ in numbers:
                    done.append(await one_loop(conn))

            await asyncio.gather(*(worker(conn) for conn in connections))
            return done

        await drive(warmup)
        started = time.perf_counter()
        measured = await drive(loops)
        seconds = time.perf_counter() - started
    finally:
        for conn in connections:
            await conn.close()
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(scratch.upper())
        await nc.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.close()
    return CeilingRun(
        measured,
        seconds,
        warmup,
        commits_per_loop=sum(s.commits for s in steps),
        publishes_per_loop=sum(s.publishes for s in steps),
    )


async def _publish(js, scratch: str, count: int) -> None:
    for _ in range(count):
        event_id = str(uuid.uuid4())
        await js.publish(f"{scratch}.event", PAYLOAD.encode(), headers={"Nats-Msg-Id": event_id})
