"""Domain event → contract: the table each service writes out, checked when it is imported.

A service lists which contract each of its domain events travels as (`CONTRACTS`), and the events
only it reads (`internal`). `check` fails at import, not on the first command, when a domain
event is neither published nor internal, or when its contract lacks one of its fields; a field
only the contract has must have a default (the service fills it, see `as_contract`'s `extra`).
A dataclass that other events of the module extend is their shared fields, not an event itself.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping, Set
from types import ModuleType
from typing import Any

from lianxin.contracts.envelope import EventData

Contracts = Mapping[type, type[EventData]]


def check(events: ModuleType, contracts: Contracts, internal: Set[type] = frozenset()) -> None:
    """Every dataclass declared in `events` is published or internal, never both, and its
    contract carries all its fields (and requires no other)."""
    dataclasses_here = {
        cls
        for cls in vars(events).values()
        if inspect.isclass(cls)
        and dataclasses.is_dataclass(cls)
        and cls.__module__ == events.__name__
    }
    bases = {base for cls in dataclasses_here for base in cls.__mro__[1:]}
    declared = dataclasses_here - bases
    if both := sorted(cls.__name__ for cls in contracts.keys() & internal):
        raise TypeError(f"domain events both published and internal: {', '.join(both)}")
    if missing := sorted(cls.__name__ for cls in declared - contracts.keys() - internal):
        raise TypeError(f"domain events without a contract: {', '.join(missing)}")
    for event, contract in contracts.items():
        ours = {f.name for f in dataclasses.fields(event)}
        theirs = set(contract.model_fields)
        required_only_there = {
            name for name in theirs - ours if contract.model_fields[name].is_required()
        }
        if not ours <= theirs or required_only_there:
            raise TypeError(
                f"{event.__name__} → {contract.__name__}: fields differ "
                f"(only the event: {sorted(ours - theirs)}, required only in the contract: "
                f"{sorted(required_only_there)})"
            )


def as_contract(contracts: Contracts, event: object, **extra: Any) -> EventData:
    """The event's contract from its fields; `extra` adds or replaces fields."""
    fields = dataclasses.asdict(event)  # type: ignore[call-overload]
    return contracts[type(event)](**(fields | extra))
