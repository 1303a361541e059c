"""List routes from a table read, in OpenAPI, as if each were written out."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, FastAPI, Response

from lianxin.listings import Filter, Found, Listing, Search, add_listings


async def read(rt: Any, p: Any, community_code: str | None) -> list[dict[str, Any]]:
    return [{"community_code": community_code}]


def _operation(required: bool) -> dict[str, Any]:
    router = APIRouter()
    listings = [Listing("/wishes/board", "board", read, list[dict[str, Any]], doc="The board.")]
    add_listings(router, listings, community_required=required)
    app = FastAPI()
    app.include_router(router)
    return app.openapi()["paths"]["/wishes/board"]["get"]


def test_a_listing_is_a_get_route_with_its_name_and_the_community_parameter() -> None:
    board = _operation(required=False)
    assert board["operationId"] == "board_wishes_board_get"
    assert (board["summary"], board["description"]) == ("Board", "The board.")
    [community] = board["parameters"]
    assert (community["name"], community["in"], community["required"]) == (
        "community_code",
        "query",
        False,
    )
    assert _operation(required=True)["parameters"][0]["required"] is True


ROWS = [
    {"title": "加装扶手", "status": "open", "at": "2026-11-29T17:00:00+00:00"},  # the 30th in China
    {"title": "楼道照明", "status": "met", "at": "2026-11-29T15:00:00+00:00"},
    {"title": "老人助餐扶手", "status": "open", "at": "2026-11-28T01:00:00+00:00"},
]
SEARCH = Search(
    words=("title",),
    filters=(Filter("status", "status", ("open", "met")),),
    day="at",
    order=lambda r: r["at"],
    newest_first=True,
)


def _titles(found: Found) -> list[str]:
    return [r["title"] for r in found.page(ROWS)]


def test_a_search_narrows_by_words_filters_and_chinas_days_then_pages() -> None:
    assert _titles(Found(words=("扶手",), search=SEARCH)) == ["加装扶手", "老人助餐扶手"]
    assert _titles(Found(given={"status": "met"}, search=SEARCH)) == ["楼道照明"]
    # 17:00 UTC on the 29th is the 30th in China: a day is China's.
    assert _titles(Found(first=date(2026, 11, 30), search=SEARCH)) == ["加装扶手"]
    assert _titles(Found(last=date(2026, 11, 29), search=SEARCH)) == ["楼道照明", "老人助餐扶手"]
    response = Response()
    second = Found(limit=1, offset=1, search=SEARCH).page(ROWS, response)
    assert [r["title"] for r in second] == ["楼道照明"]
    assert response.headers["X-Total-Count"] == "3"


def test_a_searched_listing_documents_its_parameters_with_their_values() -> None:
    router = APIRouter()
    add_listings(
        router, [Listing("/needs", "needs", read, search=SEARCH)], community_required=False
    )
    app = FastAPI()
    app.include_router(router)
    needs = app.openapi()["paths"]["/needs"]["get"]
    names = [p["name"] for p in needs["parameters"]]
    assert names == ["community_code", "q", "status", "from", "to", "limit", "offset"]
    [status] = [p for p in needs["parameters"] if p["name"] == "status"]
    assert status["schema"]["anyOf"][0]["enum"] == ["open", "met"]
    assert "X-Total-Count" in needs["description"]
