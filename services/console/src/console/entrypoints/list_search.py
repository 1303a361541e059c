"""What every list page shares: the user's search and filters read from the URL, one page of the
list asked of the service that owns it (which searches, filters, pages and counts within what
the user may read), every matching row for an export, and the export as CSV or Excel.

A list's filters have the same names in the console's URL as in the service's query, but for
`community` (the service's `community_code`): a link copied from one is the other's query."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from console.domain import exports, list_exports
from console.domain.i18n import translator
from console.entrypoints.web import PageError, Session, page_language

PAGE_SIZE = 20
EXPORT_MOST = 5000  # rows in one export: a year of a busy community
BATCH = 500  # rows in one request of an export (the services' largest page)


@dataclass(frozen=True)
class Asked:
    """A list's search as the user set it: the filters (blank ones left out) and the page."""

    found: dict[str, str]
    page: int = 1

    @property
    def query(self) -> str:
        """The filters as a URL's query, for the page links and the export links."""
        return urlencode(self.found)

    def pages(self, total: int) -> int:
        return max(1, math.ceil(total / PAGE_SIZE))

    def api(self, **fixed: Any) -> dict[str, Any]:
        """The service's query: the filters, the community as `community_code`, days only when
        they are days (a browser without a date picker may send anything)."""
        params: dict[str, Any] = {k: v for k, v in self.found.items() if k != "community"}
        for end in ("from", "to"):
            if end in params and not _is_day(params[end]):
                del params[end]
        return {**params, "community_code": self.found.get("community"), **fixed}


def asked(request: Request, filters: Iterable[str], **given: str | None) -> Asked:
    """The list's filters from the URL (`filters` the names it takes); `given` sets some (the
    community a one-community user works in) unless the URL names them."""
    found = {
        k: v.strip() for k in ("q", *filters) if (v := request.query_params.get(k, "").strip())
    }
    for name, value in given.items():
        if value and name not in found:
            found[name] = value
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    return Asked(found, page)


async def one_page(
    current: Session, service: str, path: str, shown: Asked, **fixed: Any
) -> tuple[Any, int]:
    """The page the user asked for, and how many rows match in all. A refusal is the page's:
    403 as such, another community's (404) or a bad value (422) as not found."""
    answer = await current.services.get(
        service,
        path,
        limit=PAGE_SIZE,
        offset=(shown.page - 1) * PAGE_SIZE,
        **shown.api(**fixed),
    )
    _refused(answer.status, answer.ok)
    listed = answer.body
    rows = listed["items"] if isinstance(listed, dict) else listed
    return listed, int(answer.headers.get("x-total-count", len(rows)))


async def every_row(
    current: Session, service: str, path: str, params: dict[str, Any]
) -> list[dict]:
    """Every row the list shows with these filters (the service's query `params`), not only
    its page: up to 5000, for an export."""
    rows: list[dict] = []
    while len(rows) < EXPORT_MOST:
        answer = await current.services.get(service, path, limit=BATCH, offset=len(rows), **params)
        _refused(answer.status, answer.ok)
        batch = answer.body["items"] if isinstance(answer.body, dict) else answer.body
        rows += batch
        if len(batch) < BATCH:
            break
    return rows


def download(
    kind: str, table: list[list[str]], stem: str, sheet: str, widths: Sequence[int] = ()
) -> Response:
    """A table as the file the user asked for: `csv` or `xlsx` (anything else is not found),
    named for the list and the day."""
    if kind == "csv":
        body, media = exports.as_csv(table), "text/csv; charset=utf-8"
    elif kind == "xlsx":
        body = exports.as_xlsx(table, sheet, widths)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise PageError(404, "not_found")
    name = f"{stem}-{date.today().strftime('%Y%m%d')}.{kind}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


def exported(
    request: Request,
    form: str,
    kind: str,
    rows: list[dict],
    units: Mapping[str, str],
    sheet: str,
) -> Response:
    """The list `kind`'s rows as the file asked for, worded in the page's language (`sheet`:
    the message naming the list)."""
    t = translator(page_language(request))
    table = list_exports.table(kind, rows, list_exports.Words(t, request.state.names, units))
    return download(form, table, kind, t(sheet))


def _refused(status: int, ok: bool) -> None:
    if status == 403:
        raise PageError(403, "forbidden")
    if status in (404, 422):
        raise PageError(404, "not_found")
    if not ok:
        raise PageError(503, "ls.unavailable")


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


async def grid_choices(current: Session, community: str | None = None) -> list[tuple[str, str]]:
    """The grids and micro-grids the user sees (of one community if named), by name: a list's
    grid filter."""
    answer = await current.services.get("incidents", "/grid-nodes", community_code=community)
    nodes = answer.body if answer.ok and isinstance(answer.body, list) else []
    found = [(n["code"], n["name"]) for n in nodes if n.get("kind") in ("grid", "micro_grid")]
    return sorted(found, key=lambda pair: pair[1])
