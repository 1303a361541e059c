"""List routes of one shape from a table: `GET {path}?community_code=…` answers a community's list,
searched, filtered and paged.

The companion of `lianxin.steps` for reads. A service lists its lists (`Listing`), each with
one `read(rt, principal, community_code)` that checks scope, calls its handler and shapes the
answer; `add_listings` writes the routes as if each were written out: the route keeps its name
(so the operation id and summary do not change), its description and its return annotation
(the response model), and `community_code` is a query parameter, required or optional as the
service's lists take it.

A listing with a `Search` also takes `q` (words, each in one of the searched fields), its
filters, `from`/`to` (days in China's time) and `limit`/`offset`, and tells in the
`X-Total-Count` header how many match in all. The search narrows what `read` answers, which is
already the caller's scope: a list never shows more than the caller may read. Bad values are
the framework's 422 (problem+json naming the parameter). A route written out takes the same
parameters with `Depends(search.found)` and answers `found.page(rows)`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from inspect import Parameter, Signature
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BeforeValidator

from lianxin.auth import Principal, authenticated
from lianxin.service import Runtime, runtime

Read = Callable[[Runtime[Any], Principal, Any], Awaitable[Any]]
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # the days people name are China's
MOST = 500  # rows in one page
MAX_OFFSET = 1_000_000  # rows to skip: beyond any list's length, within PostgreSQL's bigint


def _iso_day(value: object) -> object:
    # pydantic would read a number as seconds since 1970 (`0` is 1970-01-01): a day is written
    # as the documents say, YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


@dataclass(frozen=True)
class Filter:
    """A query parameter that keeps the rows whose `field` is the value given."""

    name: str
    field: str
    choices: tuple[str, ...] = ()  # the values it takes (none: any text)
    doc: str = ""
    # The field's value as the parameter names it (a status enum, a time set or not, …).
    value: Callable[[Any], str] = str


@dataclass(frozen=True)
class Found:
    """What the caller asked of a list: words, filters, days and a page."""

    words: tuple[str, ...] = ()
    given: dict[str, str] = field(default_factory=dict)
    first: date | None = None
    last: date | None = None
    limit: int | None = None
    offset: int = 0
    search: Search | None = None

    def page(self, rows: Iterable[Any], response: Response | None = None) -> list[Any]:
        """The page of the rows that match (in the search's order); their count in the
        response's `X-Total-Count`."""
        search = self.search or Search()
        matching = [r for r in rows if self._matches(r, search)]
        if search.order is not None:
            matching.sort(key=search.order, reverse=search.newest_first)
        if response is not None:
            response.headers["X-Total-Count"] = str(len(matching))
        end = None if self.limit is None else self.offset + self.limit
        return matching[self.offset : end]

    def _matches(self, row: Any, search: Search) -> bool:
        for f in search.filters:
            wanted = self.given.get(f.name)
            if wanted is not None and f.value(_of(row, f.field)) != wanted:
                return False
        if search.day and (self.first or self.last):
            day = _day(_of(row, search.day))
            if day is None or (self.first and day < self.first) or (self.last and day > self.last):
                return False
        text = " ".join(str(_of(row, f) or "") for f in search.words).lower()
        return all(word in text for word in self.words)


@dataclass(frozen=True)
class Search:
    """How a list is searched: the fields `q` looks in, its filters, the field `from`/`to`
    bound, and its order (`order` a row's sort key)."""

    words: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    day: str | None = None
    order: Callable[[Any], Any] | None = None
    newest_first: bool = False

    def parameters(self) -> list[Parameter]:
        keyword = Parameter.KEYWORD_ONLY
        params = [
            Parameter(
                "q",
                keyword,
                annotation=str,
                default=Query("", max_length=200, description=self._words_doc()),
            )
        ]
        for f in self.filters:
            kind: Any = Literal[f.choices] if f.choices else str  # type: ignore[valid-type]
            params.append(
                Parameter(
                    f.name,
                    keyword,
                    annotation=kind | None,
                    default=Query(None, description=f.doc or None),
                )
            )
        if self.day:
            for name, end in (("from", "first"), ("to", "last")):
                doc = f"{end} day of `{self.day}` (China's time)"
                params.append(
                    Parameter(
                        f"{end}_day",
                        keyword,
                        annotation=Day | None,
                        default=Query(None, alias=name, description=doc),
                    )
                )
        params += [
            Parameter(
                "limit",
                keyword,
                annotation=int | None,
                default=Query(None, ge=1, le=MOST, description="rows in the page (none: all)"),
            ),
            Parameter(
                "offset",
                keyword,
                annotation=int,
                default=Query(0, ge=0, le=MAX_OFFSET, description="how many matching rows to skip"),
            ),
        ]
        return params

    def _words_doc(self) -> str:
        return "words, each in " + (", ".join(f"`{w}`" for w in self.words) or "nothing")

    @property
    def found(self) -> Callable[..., Found]:
        """A dependency that reads this search's query parameters."""
        names = [f.name for f in self.filters]

        def found(**given: Any) -> Found:
            return Found(
                words=tuple(given["q"].lower().split()),
                given={n: given[n] for n in names if given[n] is not None},
                first=given.get("first_day"),
                last=given.get("last_day"),
                limit=given["limit"],
                offset=given["offset"],
                search=self,
            )

        found.__signature__ = Signature(self.parameters(), return_annotation=Found)  # type: ignore[attr-defined]
        return found


@dataclass(frozen=True)
class Listing:
    path: str
    name: str  # the route's name, as the function's name of a route written out
    read: Read  # (rt, principal, community_code) → the answer
    returns: Any = Any  # the return annotation a written-out route would have
    doc: str | None = None
    search: Search | None = None


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
            description=_described(listing),
        )


def _described(listing: Listing) -> str | None:
    if listing.search is None:
        return listing.doc
    paged = "The `X-Total-Count` header tells how many match, for paging with `limit` and `offset`."
    return f"{listing.doc} {paged}" if listing.doc else paged


def _endpoint(listing: Listing, community: Parameter) -> Callable[..., Awaitable[Any]]:
    async def endpoint(**given: Any) -> Any:
        rows = await listing.read(given["rt"], given["p"], given["community_code"])
        found: Found | None = given.get("found")
        return rows if found is None else found.page(rows, given["response"])

    params = [
        community,
        Parameter("rt", Parameter.KEYWORD_ONLY, annotation=Runtime, default=Depends(runtime)),
        Parameter(
            "p", Parameter.KEYWORD_ONLY, annotation=Principal, default=Depends(authenticated)
        ),
    ]
    if listing.search is not None:
        params += [
            Parameter("response", Parameter.KEYWORD_ONLY, annotation=Response),
            Parameter(
                "found",
                Parameter.KEYWORD_ONLY,
                annotation=Found,
                default=Depends(listing.search.found),
            ),
        ]
    endpoint.__signature__ = Signature(params, return_annotation=listing.returns)  # type: ignore[attr-defined]
    return endpoint


def _of(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def _day(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.astimezone(CHINA).date() if value.tzinfo else value.date()
    return value if isinstance(value, date) else None


def each_of(values: Sequence[Any]) -> tuple[str, ...]:
    """An enum's values as a filter's choices."""
    return tuple(str(getattr(v, "value", v)) for v in values)
