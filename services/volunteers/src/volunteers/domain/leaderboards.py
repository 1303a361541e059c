"""Leaderboards and star levels, from lifetime points: what was earned, not what is left.

At Changshan Garden the retired fitter who sharpened knives for ten years redeemed some of his
points and still ranked first for 2019: redeeming and expiry never lower a standing. A period's
points are the earn and adjust credits dated in it, less their reversals — counted against the
period of the credit they undo, so a correction made in January fixes last year's board. A
board is a frozen snapshot: the service keeps each past period's as it was published.

Star levels use a volunteer's all-time lifetime points, with the national volunteer star
thresholds (100/300/600/1000/1500 hours) at the default 10 points an hour:
★ 1,000 · ★★ 3,000 · ★★★ 6,000 · ★★★★ 10,000 · ★★★★★ 15,000 points.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from volunteers.domain.ledger import Account, AccountKind, Transfer
from volunteers.domain.periods import Period

STAR_THRESHOLDS = (1_000, 3_000, 6_000, 10_000, 15_000)


def star_level(lifetime: int) -> int:
    return sum(1 for threshold in STAR_THRESHOLDS if lifetime >= threshold)


@dataclass(frozen=True)
class Standing:
    rank: int
    volunteer_id: str
    points: int  # lifetime points earned in the period
    stars: int  # from all-time lifetime points


@dataclass(frozen=True)
class Leaderboard:
    scope: str  # "community:<code>" or "team:<id>"
    period: str
    rows: tuple[Standing, ...]
    computed_at: datetime


def earned_in(period: Period, transfers: Iterable[Transfer]) -> dict[str, int]:
    """Lifetime points earned in the period, by passbook account id."""
    transfers = list(transfers)
    by_id = {t.id: t for t in transfers}
    earned: dict[str, int] = defaultdict(int)
    for t in transfers:
        if not t.lifetime_delta:
            continue
        original = by_id.get(t.reverses) if t.reverses else None
        # A reversal belongs to the period of what it undoes (if that is at hand).
        when = original.at if original is not None else t.at
        if period.covers(when):
            passbook = t.to_account if t.lifetime_delta > 0 else t.from_account
            earned[passbook] += t.lifetime_delta
    return dict(earned)


def leaderboard(
    scope: str,
    period: Period,
    passbooks: Iterable[Account],
    transfers: Iterable[Transfer],
    now: datetime,
    *,
    members: set[UUID] | None = None,
) -> Leaderboard:
    """Rank the given passbooks (one community's; `members` narrows them to a team's members
    during the period). Ties share a rank (1, 2, 2, 4); nobody with no points is listed."""
    books = {a.id: a for a in passbooks if a.kind is AccountKind.PASSBOOK}
    if members is not None:
        wanted = {str(m) for m in members}
        books = {k: a for k, a in books.items() if a.owner in wanted}
    earned = earned_in(period, transfers)
    scored = sorted(
        ((earned.get(k, 0), a) for k, a in books.items() if earned.get(k, 0) > 0),
        key=lambda pair: (-pair[0], pair[1].owner),
    )
    rows: list[Standing] = []
    for position, (points, account) in enumerate(scored, start=1):
        rank = rows[-1].rank if rows and rows[-1].points == points else position
        rows.append(Standing(rank, account.owner, points, star_level(account.lifetime)))
    return Leaderboard(scope, period.label, tuple(rows), now)
