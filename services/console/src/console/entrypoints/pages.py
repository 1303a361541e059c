"""Signing in, the dashboards, the incident list, the grid tree and the department board."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.adapters.services import Services
from console.domain import figures
from console.domain.deadlines import LOCAL
from console.domain.durations import wait_words
from console.domain.i18n import LANGUAGES
from console.domain.queue import queue
from console.domain.tree import count_by_kind, grid_tree
from console.entrypoints import incident_list, list_pages, volunteer_board_pages
from console.entrypoints.protection import CSRF_COOKIE, new_csrf_cookie
from console.entrypoints.web import (
    BOARD_READERS,
    LANG_COOKIE,
    REFRESH_COOKIE,
    REPORTERS,
    PageError,
    Session,
    forget_tokens,
    is_https,
    keep_tokens,
    needs,
    page_language,
    render,
    safe_next,
    session,
)
from lianxin.addresses import request_client
from lianxin.auth import Role
from lianxin.service import Runtime, runtime

router = APIRouter()
# The incident list before incidents' own `/incidents/{id}` pages: its export and ticket routes.
router.include_router(incident_list.router)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", error=None, username="", next=safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
    rt: Runtime = Depends(runtime),
) -> Response:
    """Sign in, then back to the page the user was on (`next`: a path on this site only).
    organisation throttles by the browser's address, which the console forwards: its own."""
    answer = await Services(rt.settings, None).post_form(
        "organisation",
        "/oauth/token",
        {"grant_type": "password", "username": username, "password": password},
        headers={"X-Forwarded-For": request_client(request)},
    )
    target = safe_next(next)
    if answer.status == 429:
        seconds = int(answer.headers.get("retry-after") or 60)
        wait = wait_words(seconds, page_language(request))
        page = render(request, "login.html", 429, wait=wait, username=username, next=target)
        page.headers["Retry-After"] = str(seconds)
        return page
    if answer.status >= 500:
        # organisation (or its database) is down: not the user's password, so do not say it is.
        page = render(
            request, "login.html", 503, error="login.unavailable", username=username, next=target
        )
        page.headers["Retry-After"] = answer.headers.get("retry-after") or "5"
        return page
    if answer.status != 200:
        return render(
            request, "login.html", 401, error="login.wrong", username=username, next=target
        )
    response = RedirectResponse(target, status_code=303)
    keep_tokens(response, answer.body, is_https(request))
    new_csrf_cookie(response, is_https(request))  # a token planted before the sign-in is void
    return response


@router.post("/logout")
async def logout(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    """Sign out: organisation revokes the sign-in (its refresh token will renew nothing) and the
    browser forgets both tokens."""
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if refresh_token:
        await Services(rt.settings, None).post_form(
            "organisation", "/oauth/revoke", {"token": refresh_token}
        )
    response = RedirectResponse("/login", status_code=303)
    forget_tokens(response)
    response.delete_cookie(CSRF_COOKIE)  # the next page issues the next session's
    # A shared phone: nothing of this user's pages, nor a draft kept in the tab, stays behind.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@router.get("/lang")
async def switch_language(to: str, next: str = "/") -> Response:
    # Only a path on this site: never an open redirect.
    response = RedirectResponse(safe_next(next), status_code=303)
    if to in LANGUAGES:
        response.set_cookie(LANG_COOKIE, to, max_age=365 * 86400, samesite="lax")
    return response


async def _incidents(current: Session, **params) -> list[dict]:
    answer = await current.services.get("incidents", "/incidents", limit=500, **params)
    return answer.body if answer.ok else []


UNESCALATED = frozenset({"reported", "accepted", "rejected", "cancelled"})


async def _with_assignments(current: Session, incidents: list[dict], most: int = 100) -> list[dict]:
    """The incidents, each escalated one with its assignments: the list endpoint may leave them
    out, and the figures computed here (until incidents offers rates and boards) need them."""

    async def full(incident: dict) -> dict:
        if incident["status"] in UNESCALATED or incident.get("assignments"):
            return incident
        answer = await current.services.get("incidents", f"/incidents/{incident['id']}")
        return answer.body if answer.ok else incident

    return list(await asyncio.gather(*map(full, incidents[:most]))) + incidents[most:]


async def _rates(
    current: Session, keys: list[str], now: datetime
) -> tuple[dict | None, dict | None, str | None]:
    """(the three rates this quarter, their trend by month, the quarter) over the communities
    `keys`, from incidents' rates endpoints; Nones when incidents does not answer them."""
    answer = await current.services.get("incidents", "/rates", by="community")
    if not answer.ok or not isinstance(answer.body, dict):
        return None, None, None
    rows = [r for r in answer.body.get("rates", []) if r.get("key") in keys]
    # Months are counted in China's time, as incidents counts them.
    months = figures.recent_months(now.astimezone(LOCAL))
    series = await asyncio.gather(
        *(
            current.services.get(
                "incidents", "/rates/trend", by="community", key=key, periods=",".join(months)
            )
            for key in keys
        )
    )
    trend = figures.trend_from_series(
        months, [s.body.get("series", []) for s in series if s.ok and isinstance(s.body, dict)]
    )
    return figures.rates_from_counts(rows), trend, answer.body.get("period")


async def _dashboard(request: Request, current: Session, community: dict | None) -> Response:
    now = datetime.now(UTC)
    code = community["code"] if community else None
    keys = [code] if code else sorted(current.principal.scope.communities)
    incidents, (rates, trend, period), board = await asyncio.gather(
        _incidents(current, community_code=code),
        _rates(current, keys, now),
        current.services.get("incidents", "/boards/departments"),
    )
    estimated = rates is None
    if estimated:  # an incidents without rates endpoints: figures from the list
        incidents = await _with_assignments(current, incidents)
        rates, trend = figures.rates(incidents), figures.trend(incidents)
    by_community: dict[str, list[dict]] = {}
    for incident in incidents:
        by_community.setdefault(incident["community_code"], []).append(incident)
    return render(
        request,
        "dashboard.html",
        community=community,
        counts=figures.counts(incidents, now),
        rates=rates,
        period=period,
        estimated=estimated,
        trend=trend,
        red_black=_red_black(board.body) if board.ok else None,
        communities=sorted(
            ((c, figures.counts(found, now)) for c, found in by_community.items()),
            key=lambda item: item[0],
        ),
        incidents=incidents[:10],
        **await list_pages.dashboard_figures(current, keys, now),
        volunteering=await volunteer_board_pages.dashboard_figures(current, community),
    )


def _red_black(board: object) -> dict[str, list[dict]] | None:
    """The quarter's red and black lists from incidents' board, if it has ranked anyone."""
    if not isinstance(board, dict):
        return None
    found = {place: list(board.get(place) or []) for place in ("red", "black")}
    return found if found["red"] or found["black"] else None


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, current: Session = Depends(session)) -> Response:
    """The alliance dashboard: every incident the user's scope covers, by community; a user
    of one community sees that community's dashboard; a department operator, its own queue."""
    if current.principal.role is Role.DEPARTMENT_OPERATOR and current.principal.scope.department:
        return await _department_home(request, current, current.principal.scope.department)
    communities = current.principal.scope.communities
    if len(communities) == 1:
        [code] = communities
        answer = await current.services.get("organisation", f"/communities/{code}")
        if answer.ok:
            return await _dashboard(request, current, answer.body)
    return await _dashboard(request, current, None)


async def _department_home(request: Request, current: Session, code: str) -> Response:
    """What the department holds, nearest deadline first (incidents orders and scopes it)."""
    listed, departments = await asyncio.gather(
        current.services.get(
            "incidents", "/incidents", department=code, holding="true", order="deadline", limit=500
        ),
        current.services.get("incidents", "/departments"),
    )
    names = {d["code"]: d["name"] for d in departments.body} if departments.ok else {}
    return render(
        request,
        "department_home.html",
        department=names.get(code, code),
        groups=queue(listed.body if listed.ok else [], code),
    )


@router.get("/communities/{code}", response_class=HTMLResponse)
async def community_dashboard(
    code: str, request: Request, current: Session = Depends(session)
) -> Response:
    answer = await current.services.get("organisation", f"/communities/{code}")
    if not answer.ok or not current.principal.sees_community(code):
        raise PageError(404, "not_found")
    return await _dashboard(request, current, answer.body)


@router.get("/grid", response_class=HTMLResponse)
async def grid_page(request: Request, current: Session = Depends(needs(*REPORTERS))) -> Response:
    """Each community the user works in, as a tree with its people in their grid roles."""
    services = current.services

    async def community(code: str) -> dict | None:
        found, nodes, people = await asyncio.gather(
            services.get("organisation", f"/communities/{code}"),
            services.get("organisation", f"/communities/{code}/grid-nodes"),
            services.get("organisation", "/people", community_code=code),
        )
        if not (found.ok and nodes.ok):
            return None
        return {
            **found.body,
            "tree": grid_tree(nodes.body, people.body if people.ok else []),
            "counts": count_by_kind(nodes.body),
        }

    codes = sorted(current.principal.scope.communities)
    communities = [c for c in await asyncio.gather(*map(community, codes)) if c]
    return render(request, "grid.html", communities=communities)


@router.get("/board", response_class=HTMLResponse)
async def department_board(
    request: Request, current: Session = Depends(needs(*BOARD_READERS))
) -> Response:
    """What each department holds, what is overdue and how far up the ladder it has gone."""
    board, departments = await asyncio.gather(
        current.services.get("incidents", "/boards/departments"),
        current.services.get("incidents", "/departments"),
    )
    codes = sorted(d["code"] for d in departments.body) if departments.ok else []
    holding = board.body.get("holding") if board.ok and isinstance(board.body, dict) else None
    if holding is not None:
        rows = [
            {**row, "code": row["department_code"], "rung": figures.board_rung(row)}
            for row in holding
        ]
    else:  # a department operator (the board is the coordinators'), or an older incidents
        incidents = await _with_assignments(current, await _incidents(current))
        rows = figures.department_load(incidents, datetime.now(UTC))
    listed = {row["code"] for row in rows}
    rows += [  # every department the user may see, the idle ones too
        {"code": code, "held": 0, "overdue": 0, "rung": None}
        for code in codes
        if code not in listed
    ]
    return render(
        request,
        "board.html",
        rows=rows,
        quarter=board.body.get("quarter") if board.ok else None,
        red_black=_red_black(board.body) if board.ok else None,
    )
