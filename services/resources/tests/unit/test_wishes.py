from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

import pytest

from lianxin.errors import Conflict
from lianxin.testing.rules import refused
from resources.domain import events
from resources.domain.wishes import (
    Claimant,
    WishStatus,
    fulfilment_rate,
    raised_wishes,
    wish_board,
)

from .builders import T0, a_wish, days

UNIT = Claimant.of("member_unit", "chongqing-electric")
MEMBER = Claimant.of("party_member", "pm-17")


def test_the_resident_stays_private() -> None:
    wish = a_wish()
    wish.publish(T0)
    view = asdict(wish.public_view())
    assert "张大爷" not in str(view) and "13800000000" not in str(view)
    assert "张大爷" not in repr(wish)
    assert all("张大爷" not in str(e) and "13800000000" not in str(e) for e in wish.events)
    assert view["grid_node_code"] == "tpj-g3"


def test_a_second_claim_is_refused_naming_who_has_it() -> None:
    wish = a_wish()
    wish.publish(T0)
    wish.claim(MEMBER, T0 + days(1))
    with pytest.raises(Conflict, match="claimed by party_member pm-17"):
        wish.claim(UNIT, T0 + days(1))
    assert wish.claimant == MEMBER


def test_claimed_and_fulfilled_facts_carry_the_claimant() -> None:
    wish = a_wish()
    wish.publish(T0)
    wish.claim(MEMBER, T0 + days(1))
    with pytest.raises(Conflict):
        wish.deliver(UNIT, T0 + days(2), note="not mine")
    assert refused(lambda: wish.deliver(MEMBER, T0 + days(2))) == "note"
    wish.deliver(MEMBER, T0 + days(2), photo_ref="photos/1.jpg")
    wish.return_delivery("尺寸不合适", T0 + days(3))
    assert wish.status is WishStatus.CLAIMED and wish.claimant == MEMBER
    wish.deliver(MEMBER, T0 + days(4), note="换了一台")
    wish.close(T0 + days(5))
    claimed = next(e for e in wish.events if isinstance(e, events.WishClaimed))
    fulfilled = wish.events[-1]
    assert isinstance(fulfilled, events.WishFulfilled)
    for fact in (claimed, fulfilled):
        assert (fact.claimant_kind, fact.claimant_id) == ("party_member", "pm-17")


def test_wrong_state_is_a_conflict() -> None:
    wish = a_wish()
    with pytest.raises(Conflict):
        wish.claim(UNIT, T0)  # not on the board yet
    with pytest.raises(Conflict):
        wish.close(T0)
    wish.withdraw("居民已自行解决", T0)
    with pytest.raises(Conflict):
        wish.publish(T0)
    assert refused(lambda: Claimant.of("neighbour", "x")) == "claimant_kind"


def test_unclaimed_wishes_are_raised_after_seven_days() -> None:
    waiting = a_wish()
    waiting.publish(T0 + days(1))
    unpublished = a_wish()
    claimed = a_wish()
    claimed.publish(T0)
    claimed.claim(UNIT, T0 + days(1))
    raised = raised_wishes([claimed, waiting, unpublished], T0 + days(8))
    assert [(r.wish_id, r.days_waiting) for r in raised] == [(unpublished.id, 8), (waiting.id, 7)]
    assert raised_wishes([waiting], T0 + days(7.9)) == []


def test_the_rate_counts_the_period_s_wishes_closed_before_its_end() -> None:
    wishes = []
    for i in range(10):
        w = a_wish(now=T0 + days(i))
        if i < 7:
            w.publish(T0 + days(i))
            w.claim(UNIT, T0 + days(i))
            w.deliver(UNIT, T0 + days(i), note="ok")
            w.close(T0 + days(i + 1))
        elif i == 7:
            w.withdraw("搬走了", T0 + days(i))
        wishes.append(w)
    wishes.append(a_wish(community_code="longze"))
    rate = fulfilment_rate(wishes, "taipingjie", T0, T0 + days(7))
    # Recorded days 0–6: 7 wishes; closed before day 7: those closed on days 1–6.
    assert (rate.collected, rate.fulfilled, rate.percent) == (7, 6, Decimal("85.7"))
    assert fulfilment_rate(wishes, "taipingjie", T0, T0 + days(30)).percent == Decimal("70.0")
    assert fulfilment_rate([], "taipingjie", T0, T0 + days(1)).percent is None
    assert refused(lambda: fulfilment_rate(wishes, "taipingjie", T0, T0)) == "end"


def test_the_board_shows_waiting_wishes_first_and_no_resident() -> None:
    recorded, waiting, taken, closed = a_wish(), a_wish(), a_wish(), a_wish()
    for w in (taken, closed, waiting):
        w.publish(T0 + days(1))
    for w in (taken, closed):
        w.claim(UNIT, T0 + days(2))
    closed.deliver(UNIT, T0 + days(3), note="ok")
    closed.close(T0 + days(4))
    board = wish_board(
        [recorded, taken, closed, waiting, a_wish(community_code="longze")], ["taipingjie"]
    )
    assert [(v.id, v.status) for v in board] == [(waiting.id, "published"), (taken.id, "claimed")]
    assert board[1].claimant_id == "chongqing-electric"


def test_under_way_the_latest_claimed_comes_first() -> None:
    earlier, later, waiting = a_wish(), a_wish(), a_wish()
    for w in (earlier, later, waiting):
        w.publish(T0 + days(1))
    earlier.claim(UNIT, T0 + days(2))
    later.claim(UNIT, T0 + days(3))
    board = wish_board([earlier, later, waiting], ["taipingjie"])
    assert [v.id for v in board] == [waiting.id, later.id, earlier.id]
