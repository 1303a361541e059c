"""What incidents keeps of the organisation, from ORG events alone: alliances, communities,
departments and grid nodes."""

from __future__ import annotations

from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.contracts import EventData, org

# The ORG aggregates incidents keeps a read model of.
READ_MODELS = {
    org.AllianceState: "alliance",
    org.CommunityState: "community",
    org.DepartmentState: "department",
    org.GridNodeState: "grid_node",
}


async def apply_org_event(uow: IncidentsUnitOfWork, data: EventData) -> str | None:
    """Keep the read models of alliances, communities, departments and grid nodes.

    Registered, updated (a moved node's subtree arrives as one update per node, each with its new
    path) and retired all carry the aggregate's whole state: one upsert, newer versions only.
    Returns a newly registered department's code. Other ORG events are not incidents' concern.
    """
    aggregate = next((a for state, a in READ_MODELS.items() if isinstance(data, state)), None)
    if aggregate is None:
        return None
    async with uow:
        await uow.org.apply(aggregate, data.model_dump())
        await uow.commit()
    return data.code if isinstance(data, org.DepartmentRegistered) else None
