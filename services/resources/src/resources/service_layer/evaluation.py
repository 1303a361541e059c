"""Evaluation: each member unit's quarterly scorecard, the red/black list (红黑榜) and the
year-end stars (星级), computed from the projects and wishes as they are, and published as events
when the secretary publishes them.

Which units: the ones the caller names (organisation knows a community's member units) and every
unit that has filed an offer, claimed a project or claimed a wish here, so a unit that did
nothing is still on the list when named.
"""

from __future__ import annotations

from datetime import datetime

from lianxin.auth import Principal
from resources.domain.common import Quarter
from resources.domain.scorecards import (
    AnnualReview,
    RedBlackList,
    Scorecard,
    annual_review,
    red_black_list,
    scorecards,
    star_ranking,
    stars_published,
)
from resources.domain.wishes import ClaimantKind
from resources.service_layer.pipeline import (
    COORDINATORS,
    LIAISON,
    Clock,
    communities_of,
    may,
    only_own_unit,
    utcnow,
)
from resources.service_layer.published import as_contract
from resources.service_layer.unit_of_work import ResourcesUnitOfWork


async def _cards(
    uow: ResourcesUnitOfWork,
    community_code: str,
    units: list[str],
    quarters: tuple[Quarter, ...],
    now: datetime,
) -> list[Scorecard]:
    scope = {community_code}
    projects = await uow.projects.in_communities(scope)
    wishes = await uow.wishes.in_communities(scope)
    offers = await uow.offers.in_communities(scope)
    known = [
        *units,
        *(o.member_unit_code for o in offers),
        *(c for p in projects for c in p.claimant_codes),
        *(
            w.claimant.id
            for w in wishes
            if w.claimant and w.claimant.kind is ClaimantKind.MEMBER_UNIT
        ),
    ]
    every = list(dict.fromkeys(known))
    return [c for q in quarters for c in scorecards(every, projects, wishes, q, now)]


async def quarter_cards(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    community_code: str,
    quarter: Quarter,
    units: list[str],
    *,
    publish: bool = False,
    clock: Clock = utcnow,
) -> tuple[list[Scorecard], RedBlackList]:
    """The quarter's scorecards (a liaison: its own unit's) and the red/black list they give;
    `publish`: a coordinator announces the list (an event)."""
    may(principal, COORDINATORS if publish else COORDINATORS | LIAISON)
    communities_of(principal, community_code)
    async with uow:
        now = clock()
        cards = await _cards(uow, community_code, units, (quarter,), now)
        listed = red_black_list(quarter, cards)
        if publish:
            uow.emit(as_contract(listed.published(community_code, now)), community=community_code)
            await uow.commit()
    return only_own_unit(principal, cards, lambda c: c.member_unit_code), listed


async def year_review(
    uow: ResourcesUnitOfWork,
    principal: Principal,
    community_code: str,
    year: int,
    units: list[str],
    *,
    publish: bool = False,
    clock: Clock = utcnow,
) -> list[AnnualReview]:
    may(principal, COORDINATORS if publish else COORDINATORS | LIAISON)
    communities_of(principal, community_code)
    async with uow:
        now = clock()
        cards = await _cards(uow, community_code, units, Quarter.of_year(year), now)
        codes = dict.fromkeys(c.member_unit_code for c in cards)
        reviews = star_ranking(annual_review(u, year, cards) for u in codes)
        if publish:
            published = stars_published(community_code, year, reviews, now)
            uow.emit(as_contract(published), community=community_code)
            await uow.commit()
    return only_own_unit(principal, reviews, lambda r: r.member_unit_code)
