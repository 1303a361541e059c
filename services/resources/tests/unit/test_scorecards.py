from __future__ import annotations

from datetime import datetime

import pytest

from resources.domain import events
from resources.domain.common import Quarter
from resources.domain.projects import Project
from resources.domain.scorecards import (
    Scorecard,
    UnitQuarter,
    annual_review,
    red_black_list,
    score,
    scorecards,
    star_ranking,
    stars_for,
    stars_published,
)
from resources.domain.wishes import Claimant

from .builders import T0, a_wish, days

Q1 = Quarter(2026, 1)


def card(unit: str, points: int, quarter: Quarter = Q1) -> Scorecard:
    return Scorecard(UnitQuarter(unit, quarter), points, ())


def test_the_score_follows_the_stated_rule() -> None:
    c = UnitQuarter(
        "bank",
        Q1,
        projects_claimed=3,
        projects_on_time=1,
        projects_late=1,
        mean_rating=4.5,
        ratings=2,
        wishes_claimed=2,
        wishes_fulfilled=1,
    )
    result = score(c)
    # 20 (3 claimed, 2 count) + 10 − 10 + 8 (rating 4.5) + 7 (wishes)
    assert result.score == 35
    assert result.reasons == (
        "3 claimed: +20",
        "1 finished on time: +10",
        "1 late: -10",
        "rated 4.5 by 2: +8",
        "wishes 2 claimed, 1 fulfilled: +7",
    )
    assert score(UnitQuarter("w", Q1, wishes_claimed=5, wishes_fulfilled=5)).score == 10
    assert score(UnitQuarter("r", Q1, mean_rating=1.0, ratings=1)).score == -10
    assert score(UnitQuarter("idle", Q1)).reasons == ("nothing claimed or done this quarter: +0",)


def test_counts_come_from_projects_and_wishes_of_the_quarter() -> None:
    on_time = Project.create(community_code="c", title="a", due_at=T0 + days(50), now=T0)
    on_time.claim("bank", T0 + days(1))
    on_time.finish(T0 + days(40))
    not_yet_due = Project.create(community_code="c", title="b", due_at=T0 + days(80), now=T0)
    not_yet_due.claim("bank", T0 + days(2))
    wish = a_wish(community_code="c")
    wish.publish(T0)
    bank = Claimant.of("member_unit", "bank")
    wish.claim(bank, T0 + days(3))
    wish.deliver(bank, T0 + days(4), note="ok")
    wish.close(T0 + days(5))
    (early,) = scorecards(["bank"], [on_time, not_yet_due], [wish], Q1, T0 + days(60))
    assert (early.counts.projects_claimed, early.counts.projects_on_time) == (2, 1)
    assert early.counts.projects_late == 0  # due day 80 has not passed on day 60
    assert (early.counts.wishes_claimed, early.counts.wishes_fulfilled) == (1, 1)
    (later,) = scorecards(["bank"], [on_time, not_yet_due], [wish], Q1, Q1.end)
    assert later.counts.projects_late == 1 and later.score == 20 + 10 - 10 + 5


def test_red_is_the_best_above_zero_black_the_lowest_at_zero_or_below() -> None:
    cards = [
        card("a", 40),
        card("b", 30),
        card("c", 20),
        card("d", 20),
        card("e", 5),
        card("f", 0),
        card("g", -10),
        card("h", 0),
        card("i", 0),
    ]
    listing = red_black_list(Q1, cards)
    assert [c.member_unit_code for c in listing.red] == ["a", "b", "c", "d"]  # tie at third
    assert [c.member_unit_code for c in listing.black] == ["g", "f", "h", "i"]
    published = listing.published("taipingjie", T0)
    assert isinstance(published, events.RedBlackListPublished)
    assert published.red == ("a", "b", "c", "d") and published.quarter == "2026-Q1"


def test_nobody_is_blacklisted_for_doing_well() -> None:
    listing = red_black_list(Q1, [card("a", 10), card("b", 5)])
    assert listing.black == ()


@pytest.mark.parametrize(
    ("total", "stars"),
    [(-30, 1), (0, 1), (14, 1), (15, 2), (44, 3), (45, 4), (59, 4), (60, 5), (300, 5)],
)
def test_stars_step_every_fifteen_points(total: int, stars: int) -> None:
    assert stars_for(total) == stars


def test_the_annual_review_adds_the_four_quarters() -> None:
    cards = [
        card("bank", 20, Quarter(2026, 1)),
        card("bank", 25, Quarter(2026, 3)),
        card("bank", 99, Quarter(2025, 4)),
        card("school", 70, Quarter(2026, 2)),
    ]
    bank = annual_review("bank", 2026, cards)
    assert (bank.quarter_scores, bank.total, bank.stars) == ((20, 0, 25, 0), 45, 4)
    school = annual_review("school", 2026, cards)
    assert [r.member_unit_code for r in star_ranking([bank, school])] == ["school", "bank"]
    published = stars_published(
        "yongxinglu", 2026, [bank, school], datetime(2027, 1, 5, tzinfo=T0.tzinfo)
    )
    assert published.stars == (("school", 5), ("bank", 4))
