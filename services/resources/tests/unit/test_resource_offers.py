from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from lianxin.errors import Conflict
from lianxin.testing.rules import refused
from resources.domain.resources import ResourceKind, emergency_offers, stale_lists

from .builders import T0, an_offer, days


def test_an_offer_starts_with_all_of_it_left() -> None:
    offer = an_offer(quantity=3, unit="vehicles", kind="vehicle")
    assert (offer.kind, offer.quantity_left, offer.refreshed_at) == (ResourceKind.VEHICLE, 3, T0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "spaceship"), ("quantity", 0), ("quantity", True), ("unit", ""), ("title", " ")],
)
def test_bad_input_names_the_field(field: str, value: Any) -> None:
    assert refused(lambda: an_offer(**{field: value})) == field


def test_available_until_must_follow_available_from() -> None:
    assert refused(lambda: an_offer(available_until=T0 - days(1))) == "available_until"


def test_using_more_than_is_left_is_refused_and_changes_nothing() -> None:
    offer = an_offer(quantity=5)
    offer.use(3, "连心亭施工", T0 + days(1), reference_id=uuid4())
    with pytest.raises(Conflict):
        offer.use(3, "again", T0 + days(2), reference_id=None)
    assert offer.quantity_left == 2
    offer.withdraw(T0 + days(3))
    assert not offer.available_at(T0 + days(4))
    with pytest.raises(Conflict):
        offer.refresh(T0 + days(4))


def test_a_list_is_stale_after_half_a_year_or_when_never_filed() -> None:
    fresh = an_offer(member_unit_code="bank")
    old = an_offer(member_unit_code="school")
    other = an_offer(member_unit_code="school")
    now = T0 + days(183)
    other.refresh(T0 + days(100))
    stale = stale_lists(["bank", "school", "hospital"], [fresh, old, other], T0 + days(182))
    assert [s.member_unit_code for s in stale] == ["hospital"]  # 182 days: not yet
    fresh.refresh(T0 + days(180))
    stale = stale_lists(["bank", "school", "hospital"], [fresh, old, other], now)
    assert [(s.member_unit_code, s.stale_offer_ids) for s in stale] == [
        ("school", (old.id,)),
        ("hospital", ()),
    ]
    assert stale[0].last_refreshed_at == T0 and stale[1].last_refreshed_at is None


def test_emergency_offers_are_those_marked_and_available_now() -> None:
    van = an_offer(member_unit_code="logistics", kind="vehicle", emergency_available=True)
    hall = an_offer(member_unit_code="school", kind="venue", emergency_available=True)
    funds = an_offer(member_unit_code="bank", kind="funds", emergency_available=False)
    later = an_offer(
        member_unit_code="hospital",
        kind="people",
        emergency_available=True,
        available_from=T0 + days(30),
    )
    elsewhere = an_offer(community_code="taipingjie", kind="people", emergency_available=True)
    found = emergency_offers([hall, funds, later, elsewhere, van], ["yongxinglu"], T0 + days(1))
    assert found == [van, hall]
