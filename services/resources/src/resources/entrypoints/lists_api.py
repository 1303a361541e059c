"""Routes of the needs and resources lists, matching, and emergency offers."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Query

from lianxin.auth import Caller
from lianxin.listings import Filter, Listing, Search, add_listings, each_of
from lianxin.steps import Step
from resources.domain.matching import Suggestion
from resources.domain.needs import Need, NeedStatus, Urgency
from resources.domain.resources import ResourceKind, ResourceOffer, StaleList
from resources.entrypoints.answers import answer
from resources.entrypoints.schemas import (
    RT,
    MatchIn,
    NeedIn,
    NoteIn,
    OfferIn,
    ReasonIn,
    RefreshIn,
    UseIn,
    add_step_routes,
    each,
    out,
)
from resources.service_layer import needs, offers

router = APIRouter(tags=["needs and resources"])
NeedAnswer = answer(Need)
OfferAnswer = answer(ResourceOffer)
EmergencyOfferAnswer = answer(
    ResourceOffer, extra={"used_for_incident": {"type": "integer", "minimum": 0}}
)
SuggestionAnswer = answer(Suggestion)
StaleListAnswer = answer(StaleList)

NEEDS = Search(
    words=("title", "description", "affected"),
    filters=(
        Filter("status", "status", each_of(NeedStatus)),
        Filter("category", "category", doc="a need category's code"),
        Filter("grid", "grid_node_code", doc="a grid node's code: needs recorded there"),
        Filter("urgency", "urgency", each_of(Urgency)),
    ),
    day="recorded_at",
    order=lambda n: n["recorded_at"],
    newest_first=True,
)
OFFERS = Search(
    words=("title", "member_unit_code"),
    filters=(
        Filter("kind", "kind", each_of(ResourceKind)),
        Filter("unit", "member_unit_code", doc="a member unit's code: its offers"),
        Filter(
            "withdrawn",
            "withdrawn_at",
            ("false", "true"),
            "`false`: the offers still standing",
            value=lambda at: "true" if at else "false",
        ),
    ),
    day="refreshed_at",
    order=lambda o: (o["community_code"], o["member_unit_code"], o["kind"]),
)

add_listings(
    router,
    [
        Listing("/needs", "list_needs", each(needs.list_needs), list[NeedAnswer], search=NEEDS),
        Listing(
            "/offers", "list_offers", each(offers.list_offers), list[OfferAnswer], search=OFFERS
        ),
    ],
    community_required=False,
)


@router.post("/needs", status_code=201)
async def record_need(body: NeedIn, rt: RT, p: Caller) -> NeedAnswer:
    return out(await needs.record_need(rt.uow(), p, body.model_dump()))


@router.get("/needs/{need_id}")
async def get_need(need_id: UUID, rt: RT, p: Caller) -> NeedAnswer:
    return out(await needs.get_need(rt.uow(), p, need_id))


@router.get("/needs/{need_id}/suggestions")
async def suggestions(
    need_id: UUID,
    rt: RT,
    p: Caller,
    limit: int = Query(10, ge=1, le=50),
) -> list[SuggestionAnswer]:
    return [out(s) for s in await needs.suggestions(rt.uow(), p, need_id, limit)]


NEED_STEPS = [
    Step("match", "match_need", "match", MatchIn),
    Step("meet", "meet_need", "meet", NoteIn),
    Step("decline", "decline_need", "decline", ReasonIn),
]
add_step_routes(router, "/needs", "need_id", needs.change_need, NEED_STEPS, NeedAnswer)


@router.post("/offers", status_code=201)
async def file_offer(body: OfferIn, rt: RT, p: Caller) -> OfferAnswer:
    return out(await offers.file_offer(rt.uow(), p, body.model_dump()))


@router.get("/offers/stale")
async def stale_lists(
    community_code: str,
    rt: RT,
    p: Caller,
    member_unit_codes: list[str] = Query([], max_length=200),
) -> list[StaleListAnswer]:
    """The half-yearly reminder: units whose resources list wants refreshing."""
    found = await offers.stale(rt.uow(), p, community_code, member_unit_codes)
    return [out(s) for s in found]


OFFER_STEPS = [
    Step("refresh", "refresh_offer", "refresh", RefreshIn),
    Step("withdraw", "withdraw_offer", "withdraw"),
    Step("use", "use_offer", "use", UseIn),
]
# A refresh changes only what it names.
add_step_routes(
    router,
    "/offers",
    "offer_id",
    offers.change_offer,
    OFFER_STEPS,
    OfferAnswer,
    exclude_none=True,
)


@router.get("/incidents/{incident_id}/emergency-offers")
async def emergency_offers(incident_id: UUID, rt: RT, p: Caller) -> list[EmergencyOfferAnswer]:
    """What a wartime escalation put before the coordinator, and how much of each was used."""
    found = await offers.offers_for_incident(rt.uow(), p, incident_id)
    return [{**out(o), "used_for_incident": used} for o, used in found]


@router.post("/incidents/{incident_id}/emergency-offers/{offer_id}/use")
async def use_emergency_offer(
    incident_id: UUID,
    offer_id: UUID,
    body: UseIn,
    rt: RT,
    p: Caller,
) -> OfferAnswer:
    used = await offers.use_for_emergency(
        rt.uow(), p, incident_id, offer_id, body.quantity, body.purpose
    )
    return out(used)
