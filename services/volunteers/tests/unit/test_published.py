"""Every published domain event turns into its contract, and the contract survives the wire."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from lianxin.contracts import EventData
from volunteers.domain import events
from volunteers.service_layer.published import CONTRACTS, INTERNAL, as_contract, check

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def sample(cls: type) -> object:
    values = {}
    for f in dataclasses.fields(cls):
        kind = str(f.type)
        if f.name == "hours" and "tuple" in kind:
            values[f.name] = ((uuid4(), Decimal("2.5"), "mobilisation:x"),)
        elif f.name == "tier":
            values[f.name] = "grid"
        elif f.name == "kind":
            values[f.name] = "earn"
        elif "tuple" in kind and "UUID" in kind:
            values[f.name] = (uuid4(), uuid4())
        elif "UUID" in kind:
            values[f.name] = uuid4()
        elif "datetime" in kind:
            values[f.name] = NOW
        elif "Decimal" in kind:
            values[f.name] = Decimal("1.5")
        elif "bool" in kind:
            values[f.name] = True
        elif "int" in kind:
            values[f.name] = 3
        elif "tuple" in kind:
            values[f.name] = ("a", "b")
        else:
            values[f.name] = "x"
    return cls(**values)


@pytest.mark.parametrize("event", sorted(CONTRACTS, key=lambda c: c.__name__), ids=str)
def test_each_published_event_becomes_its_contract(event: type) -> None:
    data = as_contract(sample(event))
    again = type(data).model_validate_json(data.model_dump_json())
    assert again == data and isinstance(data, EventData)


def test_an_event_neither_published_nor_internal_stops_the_service() -> None:
    with pytest.raises(TypeError, match="without a contract: PointsTransferred"):
        check({k: v for k, v in CONTRACTS.items() if k is not events.PointsTransferred}, INTERNAL)
