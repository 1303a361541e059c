"""Domain event → contract: a base class of events is their shared fields, not an event."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

import pytest

from lianxin.contracts import EventData, published


@dataclass(frozen=True)
class ThingEvent:
    thing_id: UUID


@dataclass(frozen=True)
class ThingMoved(ThingEvent):
    to: str


class ThingMovedContract(EventData):
    SUBJECT: ClassVar[str] = "test.thing.moved"
    AGGREGATE_ID: ClassVar[str] = "thing_id"

    thing_id: UUID
    to: str


def test_a_base_of_events_needs_no_contract_but_every_event_does() -> None:
    # This module is the events module: ThingEvent and ThingMoved are its dataclasses.
    events = sys.modules[__name__]
    published.check(events, {ThingMoved: ThingMovedContract})
    with pytest.raises(TypeError, match=r"without a contract: ThingMoved$"):
        published.check(events, {})
