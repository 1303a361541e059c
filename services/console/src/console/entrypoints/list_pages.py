"""The big committee's five lists (needs, resources, projects, responsibilities, feedback), the
member units' scorecards with the red/black list and the year's stars, and the resources figures
on the dashboard.

Everything comes from the resources API with the user's own token: what a page shows is what
resources lets that user read (a liaison sees its own unit's offers and scorecard, a department
nothing), and a refusal is shown as such. Filters the API has no parameter for (status, kind)
narrow the user's own list here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.domain import lists
from console.entrypoints.web import PageError, Session, render, session, templates

router = APIRouter()
# resources' English phrases (feedback details, scorecard reasons) in the page's language.
templates.env.filters["in_words"] = lists.in_words

KINDS = ("needs", "resources", "projects", "responsibilities", "feedback")
NEED_STATUSES = ("open", "matched", "in_project", "met", "declined")
OFFER_KINDS = ("venue", "funds", "expertise", "people", "goods", "vehicle")
PROJECT_STATES = ("not_claimed", "on_track", "overdue", "finished_on_time", "finished_late")
RESPONSIBILITY_STATES = ("overdue", "in_hand", "done", "done_late")


async def resources_get(current: Session, path: str, **params: Any) -> Any:
    """A resources answer's body; its refusal as the page's (403, or 404 for what the user may
    not see), 503 when resources does not answer."""
    answer = await current.services.get("resources", path, **params)
    if answer.status == 403:
        raise PageError(403, "forbidden")
    if answer.status in (404, 422):
        raise PageError(404, "not_found")
    if not answer.ok:
        raise PageError(503, "ls.unavailable")
    return answer.body


async def communities(current: Session) -> list[dict]:
    """The communities the user works in, with their names (organisation's places)."""
    answer = await current.services.get("organisation", "/communities")
    known = {c["code"]: c for c in answer.body} if answer.ok else {}
    codes = current.principal.scope.communities or (known if current.principal.is_platform else ())
    return [known.get(code, {"code": code, "name": code}) for code in sorted(codes)]


async def community_name(current: Session, code: str) -> str:
    answer = await current.services.get("organisation", f"/communities/{code}")
    return answer.body.get("name", code) if answer.ok and isinstance(answer.body, dict) else code


def chosen(current: Session, community: str | None) -> str | None:
    """The community a page is filtered to: the one asked for, or a one-community user's own."""
    if community:
        return community
    codes = current.principal.scope.communities
    return next(iter(codes)) if len(codes) == 1 else None


async def unit_names(current: Session, codes: Iterable[str]) -> dict[str, str]:
    """Member units' names by code, for the communities `codes` (code for name when unknown)."""
    answers = await asyncio.gather(
        *(
            current.services.get("organisation", "/member-units", community_code=c)
            for c in sorted(set(codes))
        )
    )
    return {
        unit["code"]: unit["name"]
        for answer in answers
        if answer.ok and isinstance(answer.body, list)
        for unit in answer.body
    }


async def department_names(current: Session) -> dict[str, dict]:
    answer = await current.services.get("organisation", "/departments")
    return {d["code"]: d for d in answer.body} if answer.ok else {}


async def wish_rates(current: Session, codes: Iterable[str], now: datetime) -> list[dict]:
    """This year's fulfilment rate of each community resources answers for (China time)."""
    _, start, end = lists.year_period(now)

    async def one(code: str) -> dict | None:
        answer = await current.services.get(
            "resources",
            "/wishes/fulfilment-rate",
            community_code=code,
            start=start.isoformat(),
            end=end.isoformat(),
        )
        return answer.body if answer.ok and isinstance(answer.body, dict) else None

    return [r for r in await asyncio.gather(*map(one, sorted(set(codes)))) if r]


@router.get("/lists")
async def lists_index() -> Response:
    return RedirectResponse("/lists/needs", status_code=303)


@router.get("/lists/{kind}", response_class=HTMLResponse)
async def list_page(
    kind: str,
    request: Request,
    community: str | None = None,
    status: str | None = None,
    current: Session = Depends(session),
) -> Response:
    """One of the five lists, of one community or of all the user's, narrowed by status."""
    if kind not in KINDS:
        raise PageError(404, "not_found")
    now = datetime.now(UTC)
    code = chosen(current, community)
    places = await communities(current)
    rows: list[dict] = []
    if kind == "needs":
        rows = await resources_get(current, "/needs", community_code=code)
        rows.sort(key=lambda n: n.get("recorded_at") or "", reverse=True)
        statuses: tuple[str, ...] = NEED_STATUSES
    elif kind == "resources":
        rows = [
            {**o, "stale": lists.stale(o, now)}
            for o in await resources_get(current, "/offers", community_code=code)
            if not o.get("withdrawn_at")
        ]
        rows.sort(key=lambda o: (o["community_code"], o["member_unit_code"], o["kind"]))
        statuses = OFFER_KINDS
    elif kind == "projects":
        rows = [
            {**p, "state": lists.project_state(p, now)}
            for p in await resources_get(current, "/projects", community_code=code)
        ]
        statuses = PROJECT_STATES
    elif kind == "responsibilities":
        rows = await resources_get(current, "/responsibilities", community_code=code)
        statuses = RESPONSIBILITY_STATES
    else:
        codes = [code] if code else [c["code"] for c in places]
        found = await asyncio.gather(
            *(resources_get(current, "/feedback", community_code=c) for c in codes)
        )
        rows = [{**item, "meeting": f["meeting"]} for f in found for item in f["items"]]
        statuses = (*PROJECT_STATES, *RESPONSIBILITY_STATES[1:], "declined")
    if status:
        field = {"needs": "status", "resources": "kind"}.get(kind, "state")
        rows = [r for r in rows if r.get(field) == status]
    units = await unit_names(current, [code] if code else [c["code"] for c in places])
    return render(
        request,
        "lists.html",
        kind=kind,
        kinds=KINDS,
        rows=rows,
        statuses=statuses,
        status=status,
        community=code,
        communities=places,
        units=units,
    )


@router.get("/scorecards", response_class=HTMLResponse)
async def scorecards_page(
    request: Request,
    community: str | None = None,
    quarter: str | None = None,
    current: Session = Depends(session),
) -> Response:
    """Each member unit's scorecard for a quarter, the red/black list it gives, the year's stars.
    A liaison sees its own unit's card and stars, and the lists."""
    now = datetime.now(UTC)
    places = await communities(current)
    code = chosen(current, community) or (places[0]["code"] if places else None)
    if code is None:
        raise PageError(404, "not_found")
    quarters = lists.recent_quarters(now)
    wanted = quarter if quarter in quarters else quarters[0]
    units = await unit_names(current, [code])
    members = sorted(units)  # named, so that a unit that did nothing is on the list too
    cards, stars = await asyncio.gather(
        resources_get(
            current, "/scorecards", community_code=code, quarter=wanted, member_unit_codes=members
        ),
        resources_get(
            current,
            f"/scorecards/stars/{wanted[:4]}",
            community_code=code,
            member_unit_codes=members,
        ),
    )
    cards["scorecards"].sort(key=lambda c: (-c["score"], c["member_unit_code"]))
    return render(
        request,
        "scorecards.html",
        community=code,
        communities=places,
        quarter=wanted,
        quarters=quarters,
        cards=cards,
        stars=stars,
        units=units,
    )


async def dashboard_figures(current: Session, codes: list[str], now: datetime) -> dict[str, Any]:
    """The dashboard's resources card (`_dashboard_lists.html`): this year's wish fulfilment
    rate, open needs and projects on time, in all and by community; None for a user resources
    tells nothing (a department)."""
    one = codes[0] if len(codes) == 1 else None
    rates, needs, projects, places = await asyncio.gather(
        wish_rates(current, codes, now),
        current.services.get("resources", "/needs", community_code=one),
        current.services.get("resources", "/projects", community_code=one),
        communities(current),
    )
    names = {c["code"]: c["name"] for c in places}
    found_needs = needs.body if needs.ok and isinstance(needs.body, list) else None
    found_projects = projects.body if projects.ok and isinstance(projects.body, list) else None
    if not rates and found_needs is None and found_projects is None:
        return {"resources_figures": None}

    def of(rows: list[dict] | None, code: str | None) -> list[dict]:
        return [r for r in rows or [] if code is None or r.get("community_code") == code]

    def figures(code: str | None) -> dict[str, Any]:
        return {
            "code": code,
            "name": names.get(code or "", code),
            "wishes": lists.fulfilment(of(rates, code)),
            "needs": lists.need_counts(of(found_needs, code)) if found_needs is not None else None,
            "projects": lists.project_counts(of(found_projects, code), now)
            if found_projects is not None
            else None,
        }

    return {
        "resources_figures": {
            "period": lists.year_period(now)[0],
            **figures(None),
            "communities": [figures(c) for c in codes] if len(codes) > 1 else [],
        }
    }
