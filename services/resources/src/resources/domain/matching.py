"""Matching: for a need, the resource offers that could meet it, ranked, each with its reasons.

A suggestion for the joint meeting, never a decision. The points, added up (ties: more left
first, then the unit's code, so the order is stable):

| rule              | points | when                                                         |
|-------------------|--------|--------------------------------------------------------------|
| `category`        | 40     | the offer serves the need's category                         |
| `skill`           | 10     | each skill the need asks for that the offer has (at most 20) |
| `same_grid`       | 30     | the offer is in the need's grid node                         |
| `same_community`  | 20     | otherwise, the offer is in the need's community              |
| `available`       | 20     | the offer is available when the need is (`needed_at`, or now) |
| `not_available`   | 0      | said anyway, so nobody counts on it                          |
| `quantity_left`   | 0      | how much is left, said for the people deciding               |

An offer that serves neither the category nor any skill is not suggested, nor one withdrawn or
used up. An offer from another community of the alliance can be suggested with no place points.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from resources.domain.common import local_day
from resources.domain.needs import Need
from resources.domain.resources import ResourceOffer

CATEGORY_POINTS = 40
SKILL_POINTS = 10
SKILL_CAP = 20
SAME_GRID_POINTS = 30
SAME_COMMUNITY_POINTS = 20
AVAILABLE_POINTS = 20


@dataclass(frozen=True)
class Reason:
    rule: str
    points: int
    detail: str


@dataclass(frozen=True)
class Suggestion:
    need_id: UUID
    offer_id: UUID
    member_unit_code: str
    score: int
    reasons: tuple[Reason, ...]


def explain(need: Need, offer: ResourceOffer, at: datetime) -> Suggestion | None:
    """The suggestion for this offer, or None when it cannot serve the need at all."""
    if not offer.live or offer.quantity_left <= 0:
        return None
    reasons: list[Reason] = []
    if need.category in offer.categories:
        reasons.append(Reason("category", CATEGORY_POINTS, f"serves {need.category}"))
    skills = [s for s in need.skills if s in offer.skills]
    for i, skill in enumerate(skills):
        points = SKILL_POINTS if i * SKILL_POINTS < SKILL_CAP else 0
        reasons.append(Reason("skill", points, f"has {skill}"))
    if not reasons:
        return None
    if offer.grid_node_code and offer.grid_node_code == need.grid_node_code:
        reasons.append(Reason("same_grid", SAME_GRID_POINTS, f"in grid {need.grid_node_code}"))
    elif offer.community_code == need.community_code:
        reasons.append(Reason("same_community", SAME_COMMUNITY_POINTS, f"in {need.community_code}"))
    if offer.available_at(at):
        reasons.append(Reason("available", AVAILABLE_POINTS, f"available {local_day(at)}"))
    else:
        reasons.append(Reason("not_available", 0, _unavailable(offer, at)))
    reasons.append(Reason("quantity_left", 0, f"{offer.quantity_left} {offer.unit} left"))
    return Suggestion(
        need.id, offer.id, offer.member_unit_code, sum(r.points for r in reasons), tuple(reasons)
    )


def suggest(
    need: Need, offers: Iterable[ResourceOffer], now: datetime, limit: int = 10
) -> list[Suggestion]:
    """The best `limit` offers for `need`, best first, judged at the need's time (or `now`)."""
    at = need.needed_at or now
    found = [(s, o) for o in offers if (s := explain(need, o, at)) is not None]
    found.sort(
        key=lambda p: (-p[0].score, -p[1].quantity_left, p[1].member_unit_code, str(p[1].id))
    )
    return [s for s, _ in found[:limit]]


def _unavailable(offer: ResourceOffer, at: datetime) -> str:
    if at < offer.available_from:
        return f"not available before {local_day(offer.available_from)}"
    assert offer.available_until is not None  # available_at said no for one of two reasons
    return f"not available after {local_day(offer.available_until)}"
