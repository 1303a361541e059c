"""The big committee's five lists (needs, resources, projects, responsibilities, feedback), the
member units' scorecards with the red/black list and the year's stars, and the resources figures
on the dashboard.

Everything comes from the resources API with the user's own token: what a page shows is what
resources lets that user read (a liaison sees its own unit's offers and scorecard, a department
nothing), and a refusal is shown as such. resources searches, filters and pages each list
(`list_search`); its export is every row the filtered list shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.domain import lists
from console.domain.i18n import translator
from console.entrypoints.list_search import (
    Asked,
    asked,
    every_row,
    exported,
    grid_choices,
    one_page,
)
from console.entrypoints.web import PageError, Session, page_language, render, session, templates

router = APIRouter()
# resources' English phrases (feedback details, scorecard reasons) in the page's language.
templates.env.filters["in_words"] = lists.in_words

KINDS = ("needs", "resources", "projects", "responsibilities", "feedback")
NEED_STATUSES = ("open", "matched", "in_project", "met", "declined")
OFFER_KINDS = ("venue", "funds", "expertise", "people", "goods", "vehicle")
PROJECT_STATES = ("not_claimed", "on_track", "overdue", "finished_on_time", "finished_late")
RESPONSIBILITY_STATES = ("overdue", "in_hand", "done", "done_late")
FEEDBACK_STATES = (*PROJECT_STATES, *RESPONSIBILITY_STATES[1:], "declined")
DECISIONS = ("project_created", "responsibility_given", "need_declined")


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


async def community_names(current: Session, code: str) -> tuple[str, dict[str, str]]:
    """A community's name and its active member units' names by code, for a page of one of its
    records (organisation's `/names`: a department invited to a meeting may read them too)."""
    answer = await current.services.get("organisation", "/names", community_code=code)
    if not (answer.ok and isinstance(answer.body, dict) and answer.body.get("community")):
        return code, {}
    return answer.body["community"]["name"], _active_units(answer.body)


def _active_units(names: dict) -> dict[str, str]:
    """The active member units' names by code, from an answer of organisation's `/names`."""
    return {u["code"]: u["name"] for u in names["member_units"] if not u["retired"]}


def chosen(current: Session, community: str | None) -> str | None:
    """The community a page is filtered to: the one asked for, or a one-community user's own."""
    if community:
        return community
    codes = current.principal.scope.communities
    return next(iter(codes)) if len(codes) == 1 else None


async def unit_names(current: Session, codes: Iterable[str]) -> dict[str, str]:
    """Member units' names by code, for the communities `codes`: the active ones, which forms
    offer too (code for name when unknown). From organisation's `/names`, which names them to a
    department invited to a meeting as well."""
    answers = await asyncio.gather(
        *(
            current.services.get("organisation", "/names", community_code=c)
            for c in sorted(set(codes))
        )
    )
    names: dict[str, str] = {}
    for answer in answers:
        if answer.ok and isinstance(answer.body, dict):
            names |= _active_units(answer.body)
    return names


async def export_by_community(
    request: Request, current: Session, form: str, kind: str, path: str, shown: Asked, sheet: str
) -> Response:
    """Every row of a resources list whose rows name their community (meetings, the wish
    board) with these filters, its member units named, as CSV or Excel."""
    rows = await every_row(current, "resources", path, shown.api())
    units = await unit_names(current, {r["community_code"] for r in rows})
    return exported(request, form, kind, rows, units, sheet)


async def department_names(current: Session) -> dict[str, dict]:
    """The active departments by code (`name`, `name_en`), for every role."""
    answer = await current.services.get("organisation", "/names")
    departments = answer.body["departments"] if answer.ok else []
    return {d["code"]: d for d in departments if not d["retired"]}


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


@dataclass(frozen=True)
class Kind:
    """One of the five lists: resources' route for it, its filter of states (the query
    parameter, the words' prefix, its values), what its days are, what it always asks."""

    path: str
    filter: str
    prefix: str
    values: tuple[str, ...]
    days: str | None = None
    fixed: tuple[tuple[str, str], ...] = ()


FIVE = {
    "needs": Kind("/needs", "status", "need", NEED_STATUSES, "ls.from.recorded"),
    "resources": Kind(
        "/offers", "kind", "offer", OFFER_KINDS, "ls.from.refreshed", (("withdrawn", "false"),)
    ),
    "projects": Kind("/projects", "state", "project", PROJECT_STATES, "ls.from.due"),
    "responsibilities": Kind(
        "/responsibilities", "state", "resp", RESPONSIBILITY_STATES, "ls.from.due"
    ),
    "feedback": Kind("/feedback", "state", "feedback", FEEDBACK_STATES),
}


async def _asked(request: Request, current: Session, kind: str) -> tuple[Kind, Asked, list]:
    """The list, the user's search of it, and the user's communities. The feedback list is one
    community's (its last meeting's): the first of the user's unless one is asked for."""
    if kind not in FIVE:
        raise PageError(404, "not_found")
    found = FIVE[kind]
    places = await communities(current)
    one = chosen(current, None)
    if kind == "feedback" and one is None and places:
        one = places[0]["code"]
    extra = {"needs": ("grid",), "feedback": ("decision",)}.get(kind, ())
    shown = asked(request, ("community", found.filter, *extra, "from", "to"), community=one)
    return found, shown, places


async def _choices(current: Session, kind: str, found: Kind, t: Any) -> list[dict]:
    label = "ls.kind" if kind == "resources" else "incident.status"
    states = [(v, t(f"ls.{found.prefix}.{v}")) for v in found.values]
    made = [{"name": found.filter, "label": label, "options": states}]
    if kind == "needs":
        made.append({"name": "grid", "label": "ls.grid", "options": await grid_choices(current)})
    if kind == "feedback":
        decisions = [(d, t(f"ls.decision.{d}")) for d in DECISIONS]
        made.append({"name": "decision", "label": "ls.decision", "options": decisions})
    return made


@router.get("/lists/{kind}", response_class=HTMLResponse)
async def list_page(kind: str, request: Request, current: Session = Depends(session)) -> Response:
    """One of the five lists, of one community or of all the user's: searched, filtered and
    paged by resources within what the user may read."""
    found, shown, places = await _asked(request, current, kind)
    listed, total = await one_page(current, "resources", found.path, shown, **dict(found.fixed))
    rows = listed["items"] if kind == "feedback" else listed
    if kind == "feedback":
        rows = [{**item, "meeting": listed["meeting"]} for item in rows]
    if kind == "resources":
        now = datetime.now(UTC)
        rows = [{**o, "stale": lists.stale(o, now)} for o in rows]
    code = shown.found.get("community")
    units = await unit_names(current, [code] if code else [c["code"] for c in places])
    t = translator(page_language(request))
    return render(
        request,
        "lists.html",
        kind=kind,
        kinds=KINDS,
        rows=rows,
        total=total,
        asked=shown,
        choices=await _choices(current, kind, found, t),
        days=found.days,
        community=code,
        communities=places,
        units=units,
    )


@router.get("/lists/{kind}/export.{form}")
async def export_list(
    kind: str, form: str, request: Request, current: Session = Depends(session)
) -> Response:
    """Every row the list shows with these filters (not only its page), as CSV or Excel."""
    found, shown, places = await _asked(request, current, kind)
    rows = await every_row(current, "resources", found.path, shown.api(**dict(found.fixed)))
    code = shown.found.get("community")
    units = await unit_names(current, [code] if code else [c["code"] for c in places])
    return exported(request, form, kind, rows, units, f"ls.list.{kind}")


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
