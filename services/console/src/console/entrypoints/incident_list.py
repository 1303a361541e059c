"""The incident list: search (a ticket number, words of the description or the grid's name),
filters (status, category, grid, department, days, overdue) and pages, all done by incidents
within the user's scope; its export to CSV and Excel; and ticket numbers in URLs."""

from __future__ import annotations

import asyncio
import math
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.convertors import Convertor, register_url_convertor

from console.domain import exports
from console.domain.i18n import translator
from console.entrypoints.list_search import PAGE_SIZE, download, every_row
from console.entrypoints.web import PageError, Session, page_language, render, session
from lianxin.auth import Role

router = APIRouter()

FILTERS = ("q", "status", "category", "grid", "department", "community", "from", "to", "overdue")
# Statuses after which no department holds anything: a department filter with one of these
# lists what it handled; otherwise what it holds now, as the department board counts it.
FINISHED = ("resolved", "verified", "closed", "cancelled", "merged", "rejected")
TICKET = r"[A-Za-z0-9]{1,8}-[0-9]{8}-[0-9]{4,}"


class TicketConvertor(Convertor):
    """`/incidents/TPJ-20261129-0007`: a ticket number where a URL had the incident's id."""

    regex = TICKET

    def convert(self, value: str) -> str:
        return value.upper()

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("ticket", TicketConvertor())


def chosen(request: Request) -> dict[str, str]:
    """The list's filters as the user set them (blank ones left out)."""
    return {k: v.strip() for k in FILTERS if (v := request.query_params.get(k, "")).strip()}


def _day(text: str | None) -> str | None:
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None  # a browser without a date picker sent something else: no such filter


def _api_params(found: dict[str, str]) -> dict[str, Any]:
    return {
        "q": found.get("q"),
        "status": found.get("status"),
        "category": found.get("category"),
        "grid": found.get("grid"),
        "department": found.get("department"),
        "holding": "true" if found.get("status") not in FINISHED else None,
        "community_code": found.get("community"),
        "reported_from": _day(found.get("from")),
        "reported_to": _day(found.get("to")),
        "overdue": "true" if found.get("overdue") else None,
    }


async def _names(current: Session) -> dict[str, dict[str, str]]:
    """Names for the codes the list shows, and the filters' choices."""
    nodes, departments, communities = await asyncio.gather(
        current.services.get("incidents", "/grid-nodes"),
        current.services.get("incidents", "/departments"),
        current.services.get("organisation", "/communities"),
    )

    def of(answer) -> list[dict]:
        return answer.body if answer.ok and isinstance(answer.body, list) else []

    return {
        "grids": {n["code"]: n["name"] for n in of(nodes)},
        "grid_kinds": {n["code"]: n["kind"] for n in of(nodes)},
        "departments": {d["code"]: d["name"] for d in of(departments)},
        "categories": {c: c for d in of(departments) for c in d.get("categories", [])},
        "communities": {c["code"]: c["name"] for c in of(communities)},
    }


@router.get("/incidents", response_class=HTMLResponse)
async def incidents_page(request: Request, current: Session = Depends(session)) -> Response:
    found = chosen(request)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    params = _api_params(found)
    answer, names = await asyncio.gather(
        current.services.get(
            "incidents", "/incidents", limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **params
        ),
        _names(current),
    )
    listed = answer.body if answer.ok else []
    total = int(answer.headers.get("x-total-count", len(listed)))
    query = found.get("q", "")
    if len(listed) == 1 and total == 1 and listed[0].get("ticket_no", "").lower() == query.lower():
        return RedirectResponse(f"/incidents/{listed[0]['id']}", status_code=303)
    t = translator(page_language(request))
    choices = {
        "categories": sorted(((c, t(f"category.{c}")) for c in names["categories"]), key=_second),
        "grids": sorted(
            ((c, n) for c, n in names["grids"].items() if names["grid_kinds"][c] == "grid"),
            key=_second,
        ),
        "departments": sorted(names["departments"].items(), key=_second),
    }
    return render(
        request,
        "incidents.html",
        incidents=listed,
        choices=choices,
        total=total,
        page=page,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        found=found,
        names=names,
        is_department=current.principal.role is Role.DEPARTMENT_OPERATOR,
        query=urlencode(found),
        status=found.get("status"),
        overdue=bool(found.get("overdue")),
    )


def _second(pair: tuple[str, str]) -> str:
    return pair[1]


@router.get("/incidents/export.{kind}")
async def export(kind: str, request: Request, current: Session = Depends(session)) -> Response:
    """Every incident the list shows with these filters (not only its page), up to 5000."""
    if kind not in ("csv", "xlsx"):
        raise PageError(404, "not_found")
    listed = await every_row(current, "incidents", "/incidents", _api_params(chosen(request)))
    t = translator(page_language(request))
    table = exports.rows(listed, await _names(current), t)
    return download(kind, table, "incidents", t("export.sheet"), exports.WIDTHS)


@router.get("/incidents/{ticket:ticket}")
async def by_ticket(ticket: str, current: Session = Depends(session)) -> Response:
    """A ticket number in the URL: the incident's page, if the user may see it."""
    answer = await current.services.get("incidents", "/incidents", q=ticket, limit=5)
    for incident in answer.body if answer.ok else []:
        if incident.get("ticket_no") == ticket:
            return RedirectResponse(f"/incidents/{incident['id']}", status_code=303)
    raise PageError(404, "not_found")
