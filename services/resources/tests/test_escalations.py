"""resources' consumer on a real, migrated PostgreSQL: an escalation opens one need and writes its
NeedOpened event in the same transaction; the escalation delivered again changes nothing."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from sqlalchemy import select

from lianxin.contracts import new_event
from lianxin.contracts.incidents import IncidentEscalated
from lianxin.messaging.streams import RESOURCES_INCIDENTS
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import upgrade
from resources.adapters.orm import inbox, outbox
from resources.service_layer.handlers import ResourcesUnitOfWork, open_need_for_escalation


async def test_an_escalation_delivered_twice_opens_one_need_and_one_event(database: str) -> None:
    await asyncio.to_thread(upgrade, "resources", database)
    engine = make_engine(database)
    sessions = make_session_factory(engine)

    def uow() -> ResourcesUnitOfWork:
        return ResourcesUnitOfWork(
            sessions, source="/lianxin/resources", outbox=outbox, inbox=inbox
        )

    escalated = IncidentEscalated(
        incident_id=uuid4(),
        community_code="yongxinglu",
        micro_grid_code="yxl-g2-m1",
        grid_path=["yxl-g2", "yxl-g2-m1"],
        category="landscaping",
        urgency="general",
        wartime=False,
        description="高大树木遮挡采光",
        affected_households=36,
        department_codes=["landscaping"],
    )
    event = new_event(escalated, source="/lianxin/incidents", correlation_id="escalation-1")
    for _ in range(2):
        await open_need_for_escalation(uow(), event, escalated, RESOURCES_INCIDENTS.durable)

    async with uow() as check:
        [need] = await check.needs.list("yongxinglu")
        [(subject, opened)] = (
            await check.session.execute(select(outbox.c.subject, outbox.c.event))
        ).all()
    await engine.dispose()
    assert (need.source_incident_id, need.status) == (escalated.incident_id, "open")
    assert subject == "resources.need.opened"
    assert opened["data"]["need_id"] == str(need.id)
    assert opened["correlationid"] == "escalation-1"
