"""List routes from a table read, in OpenAPI, as if each were written out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from lianxin.listings import Listing, add_listings


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
