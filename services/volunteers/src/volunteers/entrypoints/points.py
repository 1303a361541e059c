"""Routes: passbooks and transfers, rules, the shop, service records, leaderboards,
reconciliation and the mobilisation board."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from lianxin.auth import Caller, Principal
from lianxin.errors import NotFound, RuleBroken
from lianxin.listings import Filter, Found, Listing, Search, add_listings
from lianxin.steps import Step, add_steps
from volunteers.domain.accounts import Account
from volunteers.domain.leaderboards import leaderboard, star_level
from volunteers.domain.mobilisation import ACTIVE, CLOSED, Mobilisation
from volunteers.domain.periods import Period
from volunteers.domain.records import csv_rows
from volunteers.domain.rules import PointsRules
from volunteers.domain.shop import Redemption
from volunteers.entrypoints import schemas as s
from volunteers.entrypoints.people import RT, of_community
from volunteers.service_layer import mobilising, points
from volunteers.service_layer.pipeline import LOCAL, require_coordinator, utcnow, volunteer_for

router = APIRouter()


def period_of(label: str) -> Period:
    """2026, 2026-Q1 or 2026-03, in the communities' time zone."""
    if m := re.fullmatch(r"(\d{4})", label):
        return Period.year(int(m[1]), LOCAL)
    if m := re.fullmatch(r"(\d{4})-Q(\d)", label):
        return Period.quarter(int(m[1]), int(m[2]), LOCAL)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        return Period.month(int(m[1]), int(m[2]), LOCAL)
    raise RuleBroken("period", "a year (2026), a quarter (2026-Q1) or a month (2026-03)")


def rules_out(rules: PointsRules) -> dict[str, Any]:
    return vars(rules) | {"per_hour": dict(rules.per_hour)}


def redemption_out(r: Redemption) -> dict[str, Any]:
    return vars(r) | {"status": str(r.status)}


# -- passbooks and transfers ---------------------------------------------------------------


@router.get("/volunteers/{volunteer_id}/passbook", response_model=s.PassbookOut)
async def passbook(volunteer_id: UUID, rt: RT, p: Caller) -> Any:
    """The volunteer's own, or their coordinators'/grid leader's view of it: the balance and
    the history read from one snapshot, so a credit never shows in one and not the other."""
    async with rt.uow().snapshot() as uow:
        v = await volunteer_for(uow, p, volunteer_id)
        book = Account.passbook(v.id, v.community_code)
        account = await uow.ledger.account(book.id) or book
        history = await uow.ledger.history(book.id)
    return {
        "volunteer_id": v.id,
        "account_id": book.id,
        "spendable": account.balance,
        "lifetime": account.lifetime,
        "stars": star_level(account.lifetime),
        "transfers": [vars(t) for t in reversed(history)],
    }


@router.post("/transfers/adjustments", status_code=201, response_model=s.TransferOut)
async def adjust(body: s.AdjustIn, rt: RT, p: Caller) -> Any:
    """Service earned elsewhere (a paper passbook's years): a coordinator, with a reason."""
    return vars(
        await points.adjust(
            rt.uow(), p, body.volunteer_id, body.amount, body.reason, body.source_key
        )
    )


@router.post("/transfers/expiries", status_code=201, response_model=s.TransferOut)
async def expire(body: s.ExpireIn, rt: RT, p: Caller) -> Any:
    """Lapsed points (spendable only): a coordinator, with a reason."""
    return vars(await points.expire(rt.uow(), p, body.volunteer_id, body.amount, body.reason))


@router.post("/transfers/{transfer_id}/reversal", status_code=201, response_model=s.TransferOut)
async def reverse(
    transfer_id: UUID,
    body: s.ReverseIn,
    rt: RT,
    p: Caller,
) -> Any:
    """A correction is a reversing transfer, once; never an edit or a delete."""
    return vars(await points.reverse(rt.uow(), p, transfer_id, body.reason))


@router.get("/ledger/reconciliation")
async def reconciliation(rt: RT, p: Caller) -> dict[str, Any]:
    found = await points.reconcile(rt.uow(), p)
    return {"clean": not found, "differences": [vars(d) for d in found]}


# -- rules ---------------------------------------------------------------------------------


@router.get("/rules/{community_code}")
async def get_rules(community_code: str, rt: RT, p: Caller) -> dict[str, Any]:
    if not p.sees_community(community_code):
        raise NotFound("community", community_code)
    async with rt.uow() as uow:
        rules = await uow.rules.get(community_code) or PointsRules(community_code)
    return rules_out(rules)


@router.put("/rules/{community_code}")
async def put_rules(
    community_code: str,
    body: s.RulesIn,
    rt: RT,
    p: Caller,
) -> dict[str, Any]:
    """The alliance administrator's: points per hour by kind, multipliers, a daily cap."""
    data = body.model_dump()
    rules = PointsRules(
        community_code, data.pop("per_hour") or PointsRules(community_code).per_hour, **data
    )
    return rules_out(await points.set_rules(rt.uow(), p, rules))


# -- the shop ------------------------------------------------------------------------------


@router.post("/shop/items", status_code=201, response_model=s.ItemOut)
async def stock(body: s.ItemIn, rt: RT, p: Caller) -> Any:
    return await points.stock_item(rt.uow(), p, body.model_dump())


add_listings(
    router,
    [Listing("/shop/items", "items", of_community(lambda u, c: u.shop.items(c)), list[s.ItemOut])],
    community_required=True,
)


@router.post("/shop/items/{item_id}/stock", response_model=s.ItemOut)
async def restock(
    item_id: UUID,
    body: s.RestockIn,
    rt: RT,
    p: Caller,
) -> Any:
    return await points.restock(rt.uow(), p, item_id, body.added)


@router.post("/shop/items/{item_id}/retirement", response_model=s.ItemOut)
async def retire(item_id: UUID, rt: RT, p: Caller) -> Any:
    """Off the shelf: no longer listed, redeemed nor restocked (409); past redemptions stay."""
    return await points.retire(rt.uow(), p, item_id)


@router.post("/shop/items/{item_id}/redemptions", status_code=201, response_model=s.RedemptionOut)
async def redeem(
    item_id: UUID,
    body: s.RedeemIn,
    rt: RT,
    p: Caller,
) -> Any:
    r = await points.redeem(rt.uow(), p, item_id, body.volunteer_id, body.handed_over_by)
    return redemption_out(r)


@router.get("/shop/redemptions", response_model=list[s.RedemptionOut])
async def redemptions(
    community_code: str,
    rt: RT,
    p: Caller,
    limit: int = Query(default=50, ge=1, le=500),
) -> Any:
    """The counter book: a community's latest redemptions, for its coordinators to hand the
    goods over or cancel one (a volunteer sees her own in her passbook)."""
    require_coordinator(p, community_code, "community", community_code)
    async with rt.uow() as uow:
        found = await uow.shop.redemptions(community_code, limit)
    return [vars(r) | {"status": str(r.status)} for r in found]


@router.post("/shop/redemptions/{redemption_id}/cancellation", response_model=s.RedemptionOut)
async def cancel(
    redemption_id: UUID,
    body: s.ReverseIn,
    rt: RT,
    p: Caller,
) -> Any:
    return redemption_out(await points.cancel_redemption(rt.uow(), p, redemption_id, body.reason))


# -- service records (双报到) ----------------------------------------------------------------


@router.get("/volunteers/{volunteer_id}/service-record")
async def service_record(
    volunteer_id: UUID,
    period: str,
    rt: RT,
    p: Caller,
) -> dict[str, Any]:
    v, rows = await points.service_record(rt.uow(), p, volunteer_id, period_of(period))
    return {"volunteer_id": v.id, "period": period, "rows": [vars(r) for r in rows]}


@router.get("/volunteers/{volunteer_id}/service-record.csv")
async def service_record_csv(
    volunteer_id: UUID,
    period: str,
    rt: RT,
    p: Caller,
) -> Response:
    """What the employer's party branch downloads or prints (UTF-8 with BOM, for Excel)."""
    chosen = period_of(period)
    v, rows = await points.service_record(rt.uow(), p, volunteer_id, chosen)
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(v, chosen, rows))
    name = f"service-record-{volunteer_id}-{chosen.label}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/volunteers/{volunteer_id}/service-record/report", status_code=202)
async def send_record(
    volunteer_id: UUID,
    period: str,
    rt: RT,
    p: Caller,
) -> dict[str, Any]:
    """Sends the period's record back to the employer's branch (an event)."""
    _, rows = await points.service_record(rt.uow(), p, volunteer_id, period_of(period), send=True)
    return {"services": len(rows)}


# -- leaderboards --------------------------------------------------------------------------


@router.get("/leaderboards")
async def leaderboards(
    community_code: str,
    period: str,
    rt: RT,
    p: Caller,
    team_id: UUID | None = None,
) -> dict[str, Any]:
    """By community or team and period, on lifetime points (redeeming does not lower a rank);
    past periods stay answerable because transfers are never edited."""
    if not p.sees_community(community_code):
        raise NotFound("community", community_code)
    chosen = period_of(period)
    async with rt.uow() as uow:
        books = await uow.ledger.passbooks(community_code)
        transfers = await uow.ledger.earning_transfers(community_code)
        members = None
        scope = f"community:{community_code}"
        if team_id is not None:
            team = await uow.teams.get(team_id)
            if team is None or team.community_code != community_code:
                raise NotFound("team", team_id)
            members, scope = team.members_during(chosen.start, chosen.end), f"team:{team_id}"
        # An honour board shows names (never contacts) to everyone in the community.
        names = {str(v.id): v.name for v in await uow.volunteers.in_community(community_code)}
    board = leaderboard(scope, chosen, books, transfers, utcnow(), members=members)
    rows = [vars(r) | {"name": names.get(r.volunteer_id)} for r in board.rows]
    return {"scope": board.scope, "period": board.period, "rows": rows}


# -- figures -------------------------------------------------------------------------------


@router.get("/figures")
async def figures(
    community_code: str,
    period: str,
    rt: RT,
    p: Caller,
) -> dict[str, Any]:
    """A community's volunteering in a period, as counts (a dashboard's figures): volunteers
    registered, those who served, their hours and the points their services earned, and the
    mobilisations still open."""
    if not p.sees_community(community_code):
        raise NotFound("community", community_code)
    chosen = period_of(period)
    async with rt.uow() as uow:
        registered = len(await uow.volunteers.in_community(community_code))
        served, hours, earned = await uow.ledger.service_totals(
            community_code, chosen.start, chosen.end
        )
        open_now = [m for m in await uow.mobilisations.list(community_code) if m.status == "active"]
    return {
        "community_code": community_code,
        "period": chosen.label,
        "volunteers": registered,
        "served": served,
        "hours": hours,
        "points": earned,
        "open_mobilisations": len(open_now),
    }


# -- mobilisations -------------------------------------------------------------------------


def board(m: Mobilisation) -> dict[str, Any]:
    return {
        "id": m.id,
        "community_code": m.community_code,
        "grid_code": m.grid_code,
        "incident_id": m.incident_id,
        "status": m.status,
        "started_at": m.started_at,
        "closed_at": m.closed_at,
        "squads": [vars(q) for q in m.squads],
        "call_ups": [vars(c) | {"tier": c.tier.name.lower()} for c in m.call_ups.values()],
    }


MOBILISATIONS = Search(
    words=("grid_code",),
    filters=(
        Filter("status", "status", (ACTIVE, CLOSED)),
        Filter("grid", "grid_code", doc="a grid node's code: mobilisations there"),
    ),
    day="started_at",
    order=lambda m: (m["status"] == ACTIVE, m["started_at"]),  # the open ones, then the newest
    newest_first=True,
)


@router.get("/mobilisations")
async def list_mobilisations(
    rt: RT,
    p: Caller,
    response: Response,
    community_code: str | None = None,
    found: Found = Depends(MOBILISATIONS.found),
) -> list[dict[str, Any]]:
    """The mobilisations the caller sees; the `X-Total-Count` header tells how many match, for
    paging with `limit` and `offset`."""
    if community_code is not None and not p.sees_community(community_code):
        raise NotFound("community", community_code)
    async with rt.uow() as uow:
        listed = await uow.mobilisations.list(community_code)
    return found.page([board(m) for m in listed if p.sees_community(m.community_code)], response)


@router.get("/mobilisations/{mobilisation_id}")
async def get_mobilisation(mobilisation_id: UUID, rt: RT, p: Caller) -> dict[str, Any]:
    async with rt.uow() as uow:
        m = await uow.mobilisations.get(mobilisation_id)
    if m is None or not p.sees_community(m.community_code):
        raise NotFound("mobilisation", mobilisation_id)
    return board(m)


async def _respond(rt: RT, p: Principal, mobilisation_id: UUID, step: str, body: Any) -> Any:
    accepted = getattr(body, "accepted", True)  # only an answer says yes or no
    m = await mobilising.respond(rt.uow(), p, mobilisation_id, body.volunteer_id, step, accepted)
    return board(m)


# A called-up volunteer answers, arrives on site and leaves.
RESPONSES = [
    Step("answers", "answer", "answer", s.AnswerIn),
    Step("check-in", "on_site", "check_in", s.OnSiteIn),
    Step("check-out", "off_site", "check_out", s.OnSiteIn),
]
add_steps(router, "/mobilisations", "mobilisation_id", _respond, RESPONSES, returns=dict[str, Any])


@router.post("/mobilisations/{mobilisation_id}/close")
async def close(mobilisation_id: UUID, rt: RT, p: Caller) -> dict[str, Any]:
    """Ends it; everyone's time on site becomes points, once."""
    return board(await mobilising.close(rt.uow(), p, mobilisation_id))
