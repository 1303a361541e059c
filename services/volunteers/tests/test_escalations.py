"""volunteers' consumer on a real, migrated PostgreSQL: a wartime escalation mobilises its grid
once, however often it is delivered, and a peacetime one mobilises nobody."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from sqlalchemy import select

from lianxin.contracts import new_event
from lianxin.contracts.incidents import IncidentEscalated
from lianxin.messaging.streams import VOLUNTEERS_INCIDENTS
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.persistence.migrations import upgrade
from volunteers.adapters.orm import inbox, outbox
from volunteers.service_layer.mobilising import mobilise_for_emergency
from volunteers.service_layer.unit_of_work import VolunteersUnitOfWork


def escalated(*, wartime: bool, community_code: str) -> IncidentEscalated:
    return IncidentEscalated(
        incident_id=uuid4(),
        community_code=community_code,
        micro_grid_code="lz-g1-m2",
        grid_path=["lz-g1", "lz-g1-m2"],
        category="flood",
        urgency="emergency",
        wartime=wartime,
        description="暴雨积水",
        affected_households=300,
        department_codes=["water"],
    )


async def test_wartime_mobilises_the_grid_once_and_peacetime_not_at_all(database: str) -> None:
    await asyncio.to_thread(upgrade, "volunteers", database)
    engine = make_engine(database)
    sessions = make_session_factory(engine)

    def uow() -> VolunteersUnitOfWork:
        return VolunteersUnitOfWork(
            sessions, source="/lianxin/volunteers", outbox=outbox, inbox=inbox
        )

    wartime = escalated(wartime=True, community_code="longze")
    peacetime = escalated(wartime=False, community_code="taipingjie")
    war_event = new_event(wartime, source="/lianxin/incidents")
    peace_event = new_event(peacetime, source="/lianxin/incidents")
    # The wartime escalation delivered twice, as after a redelivery.
    for event, data in ((war_event, wartime), (war_event, wartime), (peace_event, peacetime)):
        await mobilise_for_emergency(uow(), event, data, VOLUNTEERS_INCIDENTS.durable)

    async with uow() as check:
        [mobilisation] = await check.mobilisations.list(None)
        subjects = (await check.session.scalars(select(outbox.c.subject))).all()
    await engine.dispose()
    assert (mobilisation.incident_id, mobilisation.grid_code) == (wartime.incident_id, "lz-g1")
    assert subjects == ["volunteers.mobilisation.started"]
