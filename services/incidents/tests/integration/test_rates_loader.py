"""The rates from what the database holds: the loader gives the domain the right facts."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from incidents.adapters.facts import department_board, incident_facts, settlement_facts
from incidents.domain import rates
from incidents.service_layer import department_actions
from incidents.service_layer.deliberations import count_settlement
from lianxin.contracts.resources.deliberations import AgreedItemTurned
from lianxin.messaging.streams import INCIDENTS_DELIBERATIONS

from .test_deadline_timers import PLATFORM, T0, seed, whistle


async def test_rates_and_the_board_from_stored_incidents(uow) -> None:
    await seed(uow)
    on_time = await whistle(uow)
    late = await whistle(uow)

    for assignment, at in ((on_time, timedelta(minutes=10)), (late, timedelta(minutes=45))):
        await department_actions.take(
            uow, PLATFORM, assignment.id, "acknowledge", "", clock=lambda at=at: T0 + at
        )
    november = rates.Period.parse("2026-11")
    async with uow:
        facts = await incident_facts(uow.session, november.start, november.end)
        board = await department_board(uow.session, T0 + timedelta(days=2))
    [power] = rates.rates(facts, "department", november)
    assert power.key == "power_supply"
    assert (power.counts.dispatched, power.counts.acknowledged) == (2, 2)
    assert power.response_rate == 1.0
    assert power.on_time_acknowledgement_rate == 0.5
    assert power.median_seconds_to_acknowledge == 600  # nearest rank: the lower of 10 and 45 min
    [community] = rates.rates(facts, "street", november)
    assert community.key == "xinglong"  # the community's street, from incidents' read model
    # Two days on, both are past their 24-hour resolve deadline and still held.
    assert board == [
        {
            "department_code": "power_supply",
            "held": 2,
            "overdue": 2,
            "community": 0,
            "street": 0,
            "district_supervision": 0,
        }
    ]
    async with uow:
        later = await incident_facts(uow.session, T0 + timedelta(days=40), T0 + timedelta(days=41))
    assert later == []


def _turned(outcome: str, number: int, deliberation_id: UUID) -> AgreedItemTurned:
    return AgreedItemTurned(
        deliberation_id=deliberation_id,
        community_code="taipingjie",
        number=number,
        text="楼道自行车轮流整理",
        outcome=outcome,  # type: ignore[arg-type]
        incident_id=uuid4() if outcome == "incident" else None,
        settlement="楼栋自己排班" if outcome == "resolved_locally" else "",
        at=T0,
    )


async def test_a_deliberations_local_resolution_is_counted_once_in_its_communitys_rates(
    uow,
) -> None:
    await seed(uow)
    meeting = uuid4()
    settled = _turned("resolved_locally", 3, meeting)
    consumer = INCIDENTS_DELIBERATIONS.durable
    assert await count_settlement(uow, "e1", settled, consumer)
    # The same event again (a redelivery), and the same item in another event: still one.
    assert not await count_settlement(uow, "e1", settled, consumer)
    assert await count_settlement(uow, "e2", settled, consumer)
    # An item turned into an incident is counted as that incident, not here.
    assert not await count_settlement(uow, "e3", _turned("incident", 2, meeting), consumer)

    november = rates.Period.parse("2026-11")
    async with uow:
        found = await settlement_facts(uow.session, november.start, november.end)
        december = await settlement_facts(uow.session, T0 + timedelta(days=10), T0 + timedelta(40))
    assert found == [rates.SettlementFacts("taipingjie", "xinglong", T0)]  # its street, too
    assert december == []
    [community] = rates.rates([], "community", november, found)
    assert (community.key, community.counts.resolved_locally, community.counts.deliberated) == (
        "taipingjie",
        1,
        1,
    )
