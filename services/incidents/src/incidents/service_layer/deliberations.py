"""What incidents takes from residents' deliberations: a matter one settled itself.

Resources publishes each agreed item's outcome (`resources.deliberation.item_turned`). An item
turned into an incident is already here (reported over this service's API); one turned into a
local resolution never becomes an incident, yet it is a matter settled inside the community
(小事不出小区) and counts in the community's rates as a local resolution (`domain.rates`). So
incidents keeps of it what the rates need: the item, its community and when it was settled.
"""

from __future__ import annotations

from incidents.adapters.facts import record_settlement
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.contracts.resources.deliberations import AgreedItemTurned


async def count_settlement(
    uow: IncidentsUnitOfWork, event_id: str, turned: AgreedItemTurned, consumer: str
) -> bool:
    """Record a local resolution once, with the event's inbox mark in the same transaction;
    False for another outcome or a redelivery."""
    if turned.outcome != "resolved_locally":
        return False
    async with uow:
        if not await uow.first_time(consumer, event_id):
            return False
        item = turned.model_dump(include={"deliberation_id", "number", "community_code"})
        await record_settlement(uow.session, item | {"settled_at": turned.at})
        await uow.commit()
    return True
