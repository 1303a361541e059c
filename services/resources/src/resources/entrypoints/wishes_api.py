"""Routes of the wish board (微心愿) and of evaluation (scorecards, 红黑榜, 星级)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from lianxin.auth import Caller
from lianxin.listings import Filter, Listing, Search, add_listings, each_of
from lianxin.steps import Step
from resources.adapters.repositories import WishRepository
from resources.domain.common import Quarter
from resources.domain.scorecards import AnnualReview, RedBlackList, Scorecard, UnitQuarter
from resources.domain.wishes import FulfilmentRate, MicroWish, PublicWish, RaisedWish, WishStatus
from resources.entrypoints.answers import (
    QUARTER,
    QUARTER_PATTERN,
    answer,
    answer_schema,
    described,
)
from resources.entrypoints.schemas import (
    RT,
    DeliveryIn,
    PublishListIn,
    ReasonIn,
    WishClaimIn,
    WishIn,
    add_step_routes,
    each,
    out,
)
from resources.service_layer import evaluation, wishes

router = APIRouter(tags=["wishes and evaluation"])
PRIVATE = WishRepository.private
WishAnswer = answer(MicroWish, *PRIVATE)
# The grid's own read: the resident's name and contact too, for those who may read them.
_whole = answer_schema(MicroWish)
WishWithResidentAnswer = described(
    {**_whole, "required": [name for name in _whole["required"] if name not in PRIVATE]}
)
PublicWishAnswer = answer(PublicWish)
RaisedWishAnswer = answer(RaisedWish)
RateAnswer = answer(
    FulfilmentRate,
    extra={"percent": {"anyOf": [{"type": "string", "pattern": r"^\d+\.\d$"}, {"type": "null"}]}},
)
AnnualReviewAnswer = answer(AnnualReview)
_card = answer_schema(
    UnitQuarter,
    extra={
        "quarter": QUARTER,
        "score": {"type": "integer"},
        "reasons": {"type": "array", "items": {"type": "string"}},
    },
)
_codes = {"type": "array", "items": {"type": "string"}}
ListedAnswer = described(
    {
        "type": "object",
        "required": ["quarter", "scorecards", "red", "black"],
        "properties": {
            "quarter": QUARTER,
            "scorecards": {"type": "array", "items": _card},
            "red": _codes,
            "black": _codes,
        },
    }
)


def _public(wish: MicroWish) -> dict[str, Any]:
    """A wish without its resident: what every answer but the grid's own read shows."""
    return out(wish, **dict.fromkeys(PRIVATE, True))


@router.post("/wishes", status_code=201)
async def record_wish(body: WishIn, rt: RT, p: Caller) -> WishAnswer:
    return _public(await wishes.record_wish(rt.uow(), p, body.model_dump()))


WISHES = Search(
    words=("title", "description"),
    filters=(
        Filter("status", "status", each_of(WishStatus)),
        Filter("grid", "grid_node_code", doc="a grid node's code: wishes recorded there"),
    ),
    day="recorded_at",
)
# The board shows no wish before it is published, and not when it was recorded.
BOARD = replace(WISHES, day="published_at")

# Before `/wishes/{wish_id}`, so that `board` and `raised` are not read as a wish's id.
add_listings(
    router,
    [
        Listing(
            "/wishes",
            "list_wishes",
            each(wishes.list_wishes, _public),
            list[WishAnswer],
            "The grid's list, every status (the resident's name only on a wish's own page).",
            search=WISHES,
        ),
        Listing(
            "/wishes/board",
            "board",
            each(wishes.board),
            list[PublicWishAnswer],
            "The public wish board: waiting wishes first, never the resident's name or contact.",
            search=BOARD,
        ),
        Listing(
            "/wishes/raised",
            "raised",
            each(wishes.raised),
            list[RaisedWishAnswer],
            "Wishes nobody has claimed for a week or more.",
        ),
    ],
    community_required=False,
)


@router.get("/wishes/fulfilment-rate")
async def fulfilment_rate(
    community_code: str,
    start: AwareDatetime,
    end: AwareDatetime,
    rt: RT,
    p: Caller,
) -> RateAnswer:
    rate = await wishes.rate(rt.uow(), p, community_code, start, end)
    return {**out(rate), "percent": None if rate.percent is None else str(rate.percent)}


@router.get("/wishes/{wish_id}")
async def get_wish(wish_id: UUID, rt: RT, p: Caller) -> WishWithResidentAnswer:
    """The grid's view; the resident's name and contact only for the wish's own grid and the
    community's coordinators, to confirm delivery."""
    wish = await wishes.get_wish(rt.uow(), p, wish_id)
    return out(wish) if wishes.reads_resident(p, wish) else _public(wish)


# 派单 publish, 接单 claim, deliver (or the resident returns it), 销单 close, or withdraw.
WISH_STEPS = [
    Step("publish", "publish", "publish"),
    Step(
        "claim",
        "claim",
        "claim",
        WishClaimIn,
        doc="One claimant: of two claims at once, one succeeds and the other hears 409 and who.",
    ),
    Step("deliver", "deliver", "deliver", DeliveryIn),
    Step("return", "return_delivery", "return", ReasonIn),
    Step("close", "close", "close", doc="销单: the grid confirmed with the resident."),
    Step("withdraw", "withdraw", "withdraw", ReasonIn),
]
add_step_routes(router, "/wishes", "wish_id", wishes.change_wish, WISH_STEPS, WishAnswer, _public)


def _quarter(text: str) -> Quarter:
    return Quarter.parse(text)


def _listed(cards: list[Scorecard], listed: RedBlackList) -> dict[str, Any]:
    def card(c: Scorecard) -> dict[str, Any]:
        return {
            **out(c.counts),
            "quarter": str(c.counts.quarter),
            "score": c.score,
            "reasons": list(c.reasons),
        }

    return {
        "quarter": str(listed.quarter),
        "scorecards": [card(c) for c in cards],
        "red": [c.member_unit_code for c in listed.red],
        "black": [c.member_unit_code for c in listed.black],
    }


@router.get("/scorecards")
async def scorecards(
    community_code: str,
    rt: RT,
    p: Caller,
    quarter: str = Query(pattern=QUARTER_PATTERN),
    member_unit_codes: list[str] = Query([], max_length=200),
) -> ListedAnswer:
    """Each member unit's scorecard for the quarter and the red/black list they give."""
    cards, listed = await evaluation.quarter_cards(
        rt.uow(), p, community_code, _quarter(quarter), member_unit_codes
    )
    return _listed(cards, listed)


@router.post("/scorecards/{quarter}/red-black-list")
async def publish_red_black_list(
    quarter: str,
    body: PublishListIn,
    rt: RT,
    p: Caller,
) -> ListedAnswer:
    _, listed = await evaluation.quarter_cards(
        rt.uow(), p, body.community_code, _quarter(quarter), body.member_unit_codes, publish=True
    )
    return _listed([], listed)


@router.get("/scorecards/stars/{year}")
async def stars(
    year: int,
    community_code: str,
    rt: RT,
    p: Caller,
    member_unit_codes: list[str] = Query([], max_length=200),
) -> list[AnnualReviewAnswer]:
    """The year-end review: each unit's four quarters, total and stars, most stars first."""
    found = await evaluation.year_review(rt.uow(), p, community_code, year, member_unit_codes)
    return [out(r) for r in found]


@router.post("/scorecards/stars/{year}")
async def publish_stars(
    year: int, body: PublishListIn, rt: RT, p: Caller
) -> list[AnnualReviewAnswer]:
    found = await evaluation.year_review(
        rt.uow(), p, body.community_code, year, body.member_unit_codes, publish=True
    )
    return [out(r) for r in found]
