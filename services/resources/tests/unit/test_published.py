"""The domain event → contract table: complete, exact, and it keeps personal data off the wire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resources.domain import events
from resources.domain.wishes import Claimant
from resources.service_layer.published import CONTRACTS, as_contract, check

from .builders import a_wish


def test_an_event_without_a_contract_stops_the_service() -> None:
    partial = dict(CONTRACTS)
    del partial[events.WishClaimed]
    with pytest.raises(TypeError, match="WishClaimed"):
        check(partial)


def test_a_wish_s_events_never_carry_the_resident() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    wish = a_wish(resident_name="王奶奶", resident_contact="13800000000", now=now)
    wish.publish(now)
    wish.claim(Claimant.of("party_member", "vol-7"), now)
    wire = [as_contract(e).model_dump_json() for e in wish.events]
    assert wire and not any("王奶奶" in w or "13800000000" in w for w in wire)
    assert as_contract(wish.events[-1]).nats_subject() == "resources.wish.claimed"
