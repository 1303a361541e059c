"""The consumer of deliberations' outcomes (RESOURCES, `incidents_deliberations`): an agreed item
settled locally counts in its community's rates (`service_layer.deliberations`)."""

from __future__ import annotations

from incidents.service_layer.deliberations import count_settlement
from lianxin.contracts import CloudEvent, EventData
from lianxin.contracts.resources.deliberations import AgreedItemTurned
from lianxin.errors import RuleBroken
from lianxin.messaging.streams import INCIDENTS_DELIBERATIONS
from lianxin.messaging.subscriber import EventHandler
from lianxin.service import Runtime


def on_item_turned(rt: Runtime) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        if not isinstance(data, AgreedItemTurned):
            raise RuleBroken("type", f"not an agreed item's outcome: {event.type}")
        await count_settlement(rt.uow(), event.id, data, INCIDENTS_DELIBERATIONS.durable)

    return handle
