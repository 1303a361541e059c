"""Evaluation (评价): each member unit's quarterly scorecard, the quarterly red/black list (红黑榜)
and the year-end star rating (星级, 年底考核). Pure functions over projects and wishes.

The quarterly score, in points, for one member unit and one quarter (China time):

| what                                                                     | points          |
|--------------------------------------------------------------------------|-----------------|
| each project claimed this quarter (at most 2 count: the practice is 1–2) | +10             |
| each of its projects finished this quarter by its due date               | +10             |
| each of its projects due this quarter and not finished by then           | −10             |
| residents' ratings given this quarter to its projects: (mean − 3) × 5    | −10 … +10       |
| each wish it claimed this quarter                                        | +2              |
| each wish it fulfilled (closed) this quarter                             | +3              |
| wishes together count at most                                            | 10              |

A late project costs its points once, in the quarter its due date passes; finishing it later
earns nothing more. Ratings round half up (a mean of 4.5 gives +8).

Red/black list per quarter: red, the three best scores above zero; black, the three lowest of
the rest at zero or below (did nothing, or more late than done). Units tied with the third place
are all listed, so the list never splits a tie arbitrarily. Each unit comes with its reasons.

Stars at year end: the four quarters' scores added up (a quarter with no scorecard counts 0),
one star, plus one per full 15 points, five at most: under 15 ★, 15–29 ★★, 30–44 ★★★,
45–59 ★★★★, 60 and more ★★★★★.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from resources.domain import events
from resources.domain.common import Quarter
from resources.domain.projects import Project
from resources.domain.wishes import ClaimantKind, MicroWish

CLAIM_POINTS = 10
CLAIMS_COUNTED = 2
ON_TIME_POINTS = 10
LATE_POINTS = -10
RATING_POINTS_PER_STAR = 5
WISH_CLAIMED_POINTS = 2
WISH_FULFILLED_POINTS = 3
WISH_CAP = 10
LIST_SIZE = 3
STAR_STEP = 15


@dataclass(frozen=True)
class UnitQuarter:
    """What a member unit did in a quarter, counted."""

    member_unit_code: str
    quarter: Quarter
    projects_claimed: int = 0
    projects_on_time: int = 0
    projects_late: int = 0
    mean_rating: float | None = None
    ratings: int = 0
    wishes_claimed: int = 0
    wishes_fulfilled: int = 0


@dataclass(frozen=True)
class Scorecard:
    counts: UnitQuarter
    score: int
    # One line per rule that gave or took points, e.g. "2 projects claimed: +20".
    reasons: tuple[str, ...]

    @property
    def member_unit_code(self) -> str:
        return self.counts.member_unit_code


def score(c: UnitQuarter) -> Scorecard:
    reasons: list[str] = []
    total = 0

    def add(points: int, reason: str) -> None:
        nonlocal total
        total += points
        reasons.append(f"{reason}: {points:+d}")

    if c.projects_claimed:
        add(CLAIM_POINTS * min(c.projects_claimed, CLAIMS_COUNTED), f"{c.projects_claimed} claimed")
    if c.projects_on_time:
        add(ON_TIME_POINTS * c.projects_on_time, f"{c.projects_on_time} finished on time")
    if c.projects_late:
        add(LATE_POINTS * c.projects_late, f"{c.projects_late} late")
    if c.mean_rating is not None:
        exact = (Decimal(str(c.mean_rating)) - 3) * RATING_POINTS_PER_STAR
        points = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        add(points, f"rated {c.mean_rating:.1f} by {c.ratings}")
    wish_points = (
        WISH_CLAIMED_POINTS * c.wishes_claimed + WISH_FULFILLED_POINTS * c.wishes_fulfilled
    )
    if wish_points:
        capped = " (capped)" if wish_points > WISH_CAP else ""
        add(
            min(wish_points, WISH_CAP),
            f"wishes {c.wishes_claimed} claimed, {c.wishes_fulfilled} fulfilled{capped}",
        )
    if not reasons:
        reasons.append("nothing claimed or done this quarter: +0")
    return Scorecard(c, total, tuple(reasons))


def tally(
    member_unit_codes: Iterable[str],
    projects: Iterable[Project],
    wishes: Iterable[MicroWish],
    quarter: Quarter,
    now: datetime,
) -> list[UnitQuarter]:
    """Count each unit's quarter from the projects and wishes as they are at `now`."""
    units = list(dict.fromkeys(member_unit_codes))
    counts: dict[str, dict[str, int]] = {u: {} for u in units}
    ratings: dict[str, list[int]] = {u: [] for u in units}

    def bump(unit: str, what: str) -> None:
        if unit in counts:
            counts[unit][what] = counts[unit].get(what, 0) + 1

    for p in projects:
        for claim in p.claims:
            if quarter.contains(claim.claimed_at):
                bump(claim.member_unit_code, "projects_claimed")
        for unit in p.claimant_codes:
            if p.on_time and quarter.contains(p.finished_at):
                bump(unit, "projects_on_time")
            # Late once its due date has passed unmet, in the quarter it falls in.
            if quarter.contains(p.due_at) and p.due_at < now and not p.on_time:
                bump(unit, "projects_late")
            if unit in ratings:
                ratings[unit] += [r.rating for r in p.ratings if quarter.contains(r.at)]
    for w in wishes:
        if w.claimant is None or w.claimant.kind is not ClaimantKind.MEMBER_UNIT:
            continue
        if quarter.contains(w.claimed_at):
            bump(w.claimant.id, "wishes_claimed")
        if quarter.contains(w.closed_at):
            bump(w.claimant.id, "wishes_fulfilled")
    return [
        UnitQuarter(
            u,
            quarter,
            mean_rating=sum(ratings[u]) / len(ratings[u]) if ratings[u] else None,
            ratings=len(ratings[u]),
            **counts[u],
        )
        for u in units
    ]


def scorecards(
    member_unit_codes: Iterable[str],
    projects: Iterable[Project],
    wishes: Iterable[MicroWish],
    quarter: Quarter,
    now: datetime,
) -> list[Scorecard]:
    return [score(c) for c in tally(member_unit_codes, projects, wishes, quarter, now)]


@dataclass(frozen=True)
class RedBlackList:
    quarter: Quarter
    red: tuple[Scorecard, ...]
    black: tuple[Scorecard, ...]

    def published(self, community_code: str, now: datetime) -> events.RedBlackListPublished:
        return events.RedBlackListPublished(
            community_code,
            str(self.quarter),
            tuple(s.member_unit_code for s in self.red),
            tuple(s.member_unit_code for s in self.black),
            now,
        )


def _top(cards: list[Scorecard], size: int) -> tuple[Scorecard, ...]:
    """The first `size` cards, and any tied with the last of them."""
    if len(cards) <= size:
        return tuple(cards)
    cut = cards[size - 1].score
    return tuple(c for i, c in enumerate(cards) if i < size or c.score == cut)


def red_black_list(
    quarter: Quarter, cards: Iterable[Scorecard], size: int = LIST_SIZE
) -> RedBlackList:
    ranked = sorted(cards, key=lambda c: (-c.score, c.member_unit_code))
    red = _top([c for c in ranked if c.score > 0], size)
    named = {c.member_unit_code for c in red}
    rest = [c for c in ranked if c.member_unit_code not in named and c.score <= 0]
    rest.sort(key=lambda c: (c.score, c.member_unit_code))
    return RedBlackList(quarter, red, _top(rest, size))


@dataclass(frozen=True)
class AnnualReview:
    member_unit_code: str
    year: int
    quarter_scores: tuple[int, int, int, int]
    total: int
    stars: int


def stars_for(total: int) -> int:
    return max(1, min(5, 1 + total // STAR_STEP))


def annual_review(member_unit_code: str, year: int, cards: Iterable[Scorecard]) -> AnnualReview:
    by_quarter = {
        c.counts.quarter: c.score
        for c in cards
        if c.member_unit_code == member_unit_code and c.counts.quarter.year == year
    }
    q1, q2, q3, q4 = (by_quarter.get(q, 0) for q in Quarter.of_year(year))
    total = q1 + q2 + q3 + q4
    return AnnualReview(member_unit_code, year, (q1, q2, q3, q4), total, stars_for(total))


def star_ranking(reviews: Iterable[AnnualReview]) -> list[AnnualReview]:
    """Most stars first, then the higher total, then the unit's code."""
    return sorted(reviews, key=lambda r: (-r.stars, -r.total, r.member_unit_code))


def stars_published(
    community_code: str, year: int, reviews: Iterable[AnnualReview], now: datetime
) -> events.StarRatingsPublished:
    ranked = star_ranking(reviews)
    return events.StarRatingsPublished(
        community_code, year, tuple((r.member_unit_code, r.stars) for r in ranked), now
    )
