"""Domain events → ORG contracts, declared once and checked when this module is imported.

An aggregate without its three contracts, a contract whose type is not the aggregate's, or a
contract missing a field the aggregate publishes fails here, at import, not at the first publish.
"""

from __future__ import annotations

from dataclasses import fields

from lianxin.contracts import EventData, org
from organisation.domain import events
from organisation.domain.base import Aggregate
from organisation.domain.model import AGGREGATES

Contracts = org.Lifecycle
CHANGES: tuple[type, ...] = (events.Registered, events.Updated, events.Retired)

# Each aggregate's (registered, updated, retired) contracts, in the order of CHANGES: as
# `lianxin.contracts.org` declares them, one `lifecycle(<State>, "<aggregate>")` each.
CONTRACTS: dict[str, Contracts] = org.BY_AGGREGATE


def check(aggregates: tuple[type[Aggregate], ...], contracts: dict[str, Contracts]) -> None:
    """Raise TypeError unless every aggregate's every change has a contract that fits it."""
    for aggregate in aggregates:
        name = aggregate.AGGREGATE
        if name not in contracts:
            raise TypeError(f"no ORG contracts declared for {name}")
        published = {f.name for f in fields(aggregate)} - {"events"} - aggregate.UNPUBLISHED
        for change, contract in zip(CHANGES, contracts[name], strict=True):
            wanted = f"cn.lianxin.org.{name}.{change.__name__.lower()}.v1"
            if wanted != contract.TYPE:
                raise TypeError(f"{contract.__name__} is {contract.TYPE}, not {wanted}")
            missing = published - set(contract.model_fields)
            if missing:
                raise TypeError(f"{contract.__name__} lacks {', '.join(sorted(missing))}")


check(AGGREGATES, CONTRACTS)


def org_event(event: events.Registered | events.Updated | events.Retired) -> EventData:
    """The ORG contract for a domain event, e.g. Updated('grid_node') → GridNodeUpdated."""
    contract = CONTRACTS[event.aggregate][CHANGES.index(type(event))]
    extra = {"changed": list(event.changed)} if isinstance(event, events.Updated) else {}
    return contract(**event.state, **extra)
