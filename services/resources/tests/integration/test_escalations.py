"""resources' escalation consumer on a real, migrated PostgreSQL: a wartime escalation delivered
twice records the community's emergency offers once, with one event; a peacetime escalation
records nothing and opens no need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from lianxin.auth import Principal, Role, Scope
from lianxin.contracts import new_event
from lianxin.messaging.streams import RESOURCES_INCIDENTS
from lianxin.testing.events import as_sent, escalation
from resources.adapters.orm import emergency_offers, needs, outbox
from resources.service_layer import offers

from .conftest import UOW

LIAISON = Principal(
    "liaison",
    Role.MEMBER_UNIT_LIAISON,
    Scope(communities=frozenset({"yongxinglu"}), member_unit="u1"),
)


async def test_a_wartime_escalation_twice_records_its_offers_once(uow: UOW) -> None:
    now = datetime.now(UTC)
    truck = await offers.file_offer(
        uow(),
        LIAISON,
        {
            "community_code": "yongxinglu",
            "kind": "vehicle",
            "title": "货车",
            "quantity": 2,
            "unit": "vehicles",
            "available_from": now - timedelta(days=1),
            "emergency_available": True,
        },
    )
    war = escalation("yongxinglu", "yxl-g2-m1")
    peace = escalation("yongxinglu", "yxl-g2-m1", wartime=False)
    war_event = new_event(war, source="/lianxin/incidents", correlation_id="escalation-1")
    for _ in range(2):
        await offers.offer_for_emergency(uow(), war_event, war, RESOURCES_INCIDENTS.durable)
    peace_event = as_sent(peace)
    await offers.offer_for_emergency(uow(), peace_event, peace, RESOURCES_INCIDENTS.durable)

    async with uow() as check:
        rows = (await check.session.execute(select(emergency_offers))).all()
        made = (
            await check.session.execute(
                select(outbox.c.event).where(outbox.c.subject == "resources.emergency.offers_made")
            )
        ).all()
        need_count = (await check.session.execute(select(func.count()).select_from(needs))).scalar()
    assert [(r.incident_id, r.offer_id) for r in rows] == [(war.incident_id, truck.id)]
    [(event,)] = made
    assert event["data"]["offer_ids"] == [str(truck.id)]
    assert event["correlationid"] == "escalation-1"
    assert need_count == 0
