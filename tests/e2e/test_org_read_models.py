"""Incidents' read models of the organisation are built from the ORG stream alone: replaying the
stream from its start into an empty database rebuilds exactly what the running service holds."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from incidents.adapters.orm import metadata
from incidents.service_layer.read_models import apply_org_event
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.contracts import CloudEvent, parse_data
from lianxin.demo import PEOPLE, load_demo
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import upgrade
from lianxin.runtime.platform import PLATFORM_SECRET, database_url
from tests.conftest import Platform, eventually

pytestmark = pytest.mark.e2e

READ_MODELS = ("communities", "departments", "grid_nodes")


async def snapshot(url: str) -> dict[str, list[dict]]:
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return {
            table: [dict(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY code")]
            for table in READ_MODELS
        }
    finally:
        await conn.close()


async def replay(nats_url: str, uow: IncidentsUnitOfWork) -> int:
    """Run incidents' ORG handler over the whole stream, from its first message."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        total = (await js.stream_info("ORG")).state.messages
        # An ephemeral consumer goes after 5 s without a pull; applying a batch on a busy
        # machine can take longer, and the next fetch then met "no responders".
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=120
        )
        subscription = await js.pull_subscribe("org.>", stream="ORG", config=config)
        applied = 0
        while applied < total:
            for msg in await subscription.fetch(200, timeout=5):
                await apply_org_event(uow, parse_data(CloudEvent.from_bytes(msg.data)))
                applied += 1
        return applied
    finally:
        await nc.close()


async def rebuild(plat: Platform, postgres_url: str) -> tuple[dict, int]:
    name = f"{plat.prefix}_replay"
    admin = await asyncpg.connect(
        database_url(postgres_url, "x", "x").rsplit("/", 1)[0] + "/postgres"
    )
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url(postgres_url, "replay", plat.prefix)
    try:
        await asyncio.to_thread(upgrade, "incidents", url)
        engine = make_engine(url)
        uow = IncidentsUnitOfWork(
            make_session_factory(engine),
            source="/lianxin/incidents",
            outbox=metadata.tables["outbox"],
            inbox=metadata.tables["inbox"],
        )
        applied = await replay(plat.nats_url, uow)
        once = await snapshot(url)
        await replay(plat.nats_url, uow)  # a second replay changes nothing
        assert await snapshot(url) == once
        await engine.dispose()
        return once, applied
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def test_a_replay_of_org_rebuilds_incidents_read_models(
    demo_platform: Platform, postgres_url: str
) -> None:
    org, incidents = demo_platform.http("organisation"), demo_platform.http("incidents")
    # The whole demo: its people and party organisations travel on ORG too, for others.
    assert load_demo(demo_platform.url("organisation"), PLATFORM_SECRET)["people"] == len(PEOPLE)
    # Changes after the demo: a micro-grid moves to a business district, a new unit is
    # registered then retired, a department's targets change and another department retires.
    moved = org.post("/grid-nodes/tpj-g02-m01/move", json={"parent_code": "tpj-g08"})
    assert moved.status_code == 200, moved.text
    unit = {
        "code": "csh-b11-u5",
        "name": "11栋5单元",
        "kind": "unit",
        "community_code": "changshan",
        "parent_code": "csh-b11",
    }
    assert org.post("/grid-nodes", json=unit).status_code == 201
    assert org.post("/grid-nodes/csh-b11-u5/retirement").status_code == 200
    sla = {"sla": {"resolve_hours": {"general": 120}}}
    assert org.patch("/departments/landscaping", json=sla).status_code == 200
    assert org.post("/departments/court/retirement").status_code == 200

    eventually(lambda: org.get("/ops/outbox").json()["unsent"] == 0)
    eventually(
        lambda: (
            (c := demo_platform.consumer("ORG", "incidents_org")).num_pending == 0
            and c.num_ack_pending == 0
        )
    )
    nodes = {n["code"]: n for n in incidents.get("/grid-nodes").json()}
    assert nodes["tpj-g02-m01"]["path"] == ["tpj-g08", "tpj-g02-m01"]
    assert "csh-b11-u5" not in nodes
    departments = {d["code"]: d for d in incidents.get("/departments").json()}
    assert departments["landscaping"]["sla"]["resolve_hours"]["general"] == 120
    assert "court" not in departments

    live = asyncio.run(snapshot(demo_platform.database_url("incidents")))
    rebuilt, applied = asyncio.run(rebuild(demo_platform, postgres_url))
    assert applied > len(nodes) + len(PEOPLE)
    assert {t: len(rows) for t, rows in rebuilt.items()} == {
        "communities": 9,
        "departments": 11,
        "grid_nodes": len(nodes) + 1,
    }
    assert rebuilt == live
    assert json.dumps(rebuilt, default=str).count('"retired_at": null') > 0
