"""volunteers' consumer on a real, migrated PostgreSQL: a wartime escalation mobilises its grid
once, however often it is delivered, and a peacetime one mobilises nobody."""

from __future__ import annotations

from sqlalchemy import select

from lianxin.messaging.streams import VOLUNTEERS_INCIDENTS
from lianxin.testing.events import as_sent, escalation
from volunteers.adapters.orm import outbox
from volunteers.service_layer.mobilising import mobilise_for_emergency

from .conftest import UowFactory


async def test_wartime_mobilises_the_grid_once_and_peacetime_not_at_all(uows: UowFactory) -> None:
    wartime = escalation("longze", "lz-g1-m2")
    peacetime = escalation("taipingjie", "lz-g1-m2", wartime=False)
    war_event = as_sent(wartime)
    peace_event = as_sent(peacetime)
    # The wartime escalation delivered twice, as after a redelivery.
    for event, data in ((war_event, wartime), (war_event, wartime), (peace_event, peacetime)):
        await mobilise_for_emergency(uows(), event, data, VOLUNTEERS_INCIDENTS.durable)

    async with uows() as check:
        [mobilisation] = await check.mobilisations.list(None)
        subjects = (await check.session.scalars(select(outbox.c.subject))).all()
    assert (mobilisation.incident_id, mobilisation.grid_code) == (wartime.incident_id, "lz-g1")
    assert subjects == ["volunteers.mobilisation.started"]
