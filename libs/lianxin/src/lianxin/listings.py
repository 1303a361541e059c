"""List routes of one shape from a table: `GET {path}?community_code=…` answers a community's list.

The companion of `lianxin.steps` for reads. A service lists its lists (`Listing`), each with
one `read(rt, principal, community_code)` that checks scope, calls its handler and shapes the
answer; `add_listings` writes the routes as if each were written out: the route keeps its name
(so the operation id and summary do not change), its description and its return annotation
(the response model), and `community_code` is a query parameter, required or optional as the
service's lists take it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from inspect import Parameter, Signature
from typing import Any

from fastapi import APIRouter, Depends

from lianxin.auth import Principal, authenticated
from lianxin.service import Runtime, runtime

Read = Callable[[Runtime[Any], Principal, Any], Awaitable[Any]]


@dataclass(frozen=True)
class Listing:
    path: str
    name: str  # the route's name, as the function's name of a route written out
    read: Read  # (rt, principal, community_code) → the answer
    returns: Any = Any  # the return annotation a written-out route would have
    doc: str | None = None


def add_listings(
    router: APIRouter, listings: Iterable[Listing], *, community_required: bool
) -> None:
    """One `GET` route per listing. `community_required`: `community_code: str` (a list is
    always one community's), else `community_code: str | None = None` (None: all the caller's)."""
    community = (
        Parameter("community_code", Parameter.KEYWORD_ONLY, annotation=str)
        if community_required
        else Parameter(
            "community_code", Parameter.KEYWORD_ONLY, annotation=str | None, default=None
        )
    )
    for listing in listings:
        router.add_api_route(
            listing.path,
            _endpoint(listing, community),
            methods=["GET"],
            name=listing.name,
            description=listing.doc,
        )


def _endpoint(listing: Listing, community: Parameter) -> Callable[..., Awaitable[Any]]:
    async def endpoint(**given: Any) -> Any:
        return await listing.read(given["rt"], given["p"], given["community_code"])

    params = [
        community,
        Parameter("rt", Parameter.KEYWORD_ONLY, annotation=Runtime, default=Depends(runtime)),
        Parameter(
            "p", Parameter.KEYWORD_ONLY, annotation=Principal, default=Depends(authenticated)
        ),
    ]
    endpoint.__signature__ = Signature(params, return_annotation=listing.returns)  # type: ignore[attr-defined]
    return endpoint
