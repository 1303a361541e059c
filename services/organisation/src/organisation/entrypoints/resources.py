"""The routes every plainly shaped aggregate has, written once and declared per aggregate.

For `/districts` that is `POST /districts` (register, 201), `GET /districts` (list, filtered by the
declared query parameters), `GET /districts/{code}`, `PATCH /districts/{code}`,
`POST /districts/{code}/retirement`, and, where offered, a community's bulk import at
`POST /communities/{code}/districts/import`. Route names (and so OpenAPI operation ids) are the
ones the hand-written routes had: `register_district`, `list_districts`… Who may call each route
is `access.RULES`'s to say, like every other route's.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel

from lianxin.contracts import org
from lianxin.errors import NotFound, RuleBroken
from lianxin.service import Runtime, runtime
from lianxin.webhook_targets import UnsafeTarget, safe_addresses
from organisation.domain.base import Aggregate
from organisation.entrypoints import schemas as s
from organisation.entrypoints.deps import counts, import_body, state, uow
from organisation.entrypoints.imports import MAX_BYTES, read_lines
from organisation.service_layer import aggregates as kinds
from organisation.service_layer import handlers
from organisation.service_layer.handlers import Kind
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

Present = Callable[[UoW, list[Any]], Awaitable[list[dict[str, Any]]]]
# What a request's fields must pass that needs the deployment or the network (a webhook's host).
Check = Callable[[Runtime, dict[str, Any]], Awaitable[None]]


async def with_totals(uow: UoW, communities: list[Any]) -> list[dict[str, Any]]:
    """Communities with their totals over the grid tree (inside an open unit of work)."""
    one = communities[0].code if len(communities) == 1 else None
    totals = await uow.org.community_totals(one)
    return [state(c, totals=counts(totals.get(c.code))) for c in communities]


@dataclass(frozen=True)
class Resource:
    kind: Kind
    plural: str  # names the path (/member-units) and the list and import routes
    create: type[BaseModel]
    patch: type[BaseModel]
    out: Any
    filters: dict[str, str] = field(default_factory=dict)  # query parameter → store column
    rows: type[BaseModel] | None = None  # a community's bulk import, one row a line
    imports_doc: str = ""
    present: Present | None = None  # default: the aggregate's state
    check: Check | None = None  # run on a registration's and a change's fields first

    @property
    def path(self) -> str:
        return "/" + self.plural.replace("_", "-")


async def safe_webhooks(rt: Runtime, fields: dict[str, Any]) -> None:
    """Each webhook URL is https and its host resolves to public addresses only (unless the
    deployment allows private targets: development, tests): a 422 naming `channels.url`."""
    allow_private = rt.settings.lianxin_webhooks_allow_private
    for channel in fields.get("channels") or []:
        if channel.get("kind") == "webhook" and channel.get("url"):
            try:
                await safe_addresses(channel["url"], allow_private=allow_private)
            except UnsafeTarget as unsafe:
                raise RuleBroken("channels.url", str(unsafe)) from None


COMMUNITY = {"community_code": "community_code"}
RESOURCES = (
    Resource(kinds.DISTRICTS, "districts", s.DistrictIn, s.DistrictPatch, org.DistrictState),
    Resource(
        kinds.STREETS,
        "streets",
        s.StreetIn,
        s.StreetPatch,
        org.StreetState,
        filters={"district_code": "district_code"},
    ),
    Resource(
        kinds.COMMUNITIES,
        "communities",
        s.CommunityIn,
        s.CommunityPatch,
        s.CommunityOut,
        filters={"street_code": "street_code", "district_code": "district_code"},
        present=with_totals,
    ),
    Resource(
        kinds.ALLIANCES,
        "alliances",
        s.AllianceIn,
        s.AlliancePatch,
        org.AllianceState,
        filters={"community_code": "community_codes"},
    ),
    Resource(
        kinds.MEMBER_UNITS,
        "member_units",
        s.MemberUnitIn,
        s.MemberUnitPatch,
        s.MemberUnitOut,
        filters={**COMMUNITY, "kind": "kind", "relation": "relation"},
        rows=s.MemberUnitFields,
        imports_doc="A community's member units as a JSON array; all or nothing, errors by line "
        "and field.",
    ),
    Resource(
        kinds.DEPARTMENTS,
        "departments",
        s.DepartmentIn,
        s.DepartmentPatch,
        org.DepartmentState,
        filters={"category": "categories"},
        check=safe_webhooks,
    ),
    Resource(
        kinds.PARTY_ORGANISATIONS,
        "party_organisations",
        s.PartyOrganisationIn,
        s.PartyOrganisationPatch,
        org.PartyOrganisationState,
        filters={**COMMUNITY, "kind": "kind", "node_code": "node_codes"},
        rows=s.PartyOrganisationFields,
        imports_doc="A community's party organisations as a JSON array (or CSV, `node_codes` "
        "split by `;`);\nall or nothing, errors by line and field.",
    ),
    Resource(
        kinds.PEOPLE,
        "people",
        s.PersonIn,
        s.PersonPatch,
        s.PersonOut,
        filters={**COMMUNITY, "node_code": "node_code", "party_member_kind": "party_member_kind"},
        rows=s.PersonFields,
        imports_doc="A community's people and their posts as a JSON array; all or nothing.",
    ),
)


async def _out(r: Resource, uow: UoW, found: list[Aggregate], *, opened: bool = True) -> list:
    if r.present is None:
        return [state(a) for a in found]
    if opened:
        return await r.present(uow, found)
    async with uow:
        return await r.present(uow, found)


def routes(r: Resource) -> APIRouter:
    router = APIRouter()
    item = f"{r.path}/{{code}}"

    async def register(body: BaseModel, uow: UoW = Depends(uow), rt: Runtime = Depends(runtime)):
        if r.check:
            await r.check(rt, body.model_dump())
        made = await handlers.register(uow, r.kind, body.model_dump())
        return (await _out(r, uow, [made], opened=False))[0]

    async def list_all(uow: UoW, include_retired: bool, **filters):
        wanted = {column: filters[query] for query, column in r.filters.items()}
        async with uow:
            store = uow.org.stores[r.kind.name]
            return await _out(r, uow, await store.list(include_retired=include_retired, **wanted))

    async def get(code: str, uow: UoW = Depends(uow)):
        async with uow:
            found = await uow.org.stores[r.kind.name].get(code)
            if found is None:
                raise NotFound(r.kind.words, code)
            return (await _out(r, uow, [found]))[0]

    async def update(
        code: str, body: BaseModel, uow: UoW = Depends(uow), rt: Runtime = Depends(runtime)
    ):
        if r.check:
            await r.check(rt, body.model_dump(exclude_unset=True))
        changed = await handlers.update(uow, r.kind, code, body.model_dump(exclude_unset=True))
        return (await _out(r, uow, [changed], opened=False))[0]

    async def retire(code: str, uow: UoW = Depends(uow)):
        retired = await handlers.retire(uow, r.kind, code)
        return (await _out(r, uow, [retired], opened=False))[0]

    _typed(register, body=r.create)
    _typed(update, body=r.patch)
    _list_signature(list_all, list(r.filters))
    add = router.add_api_route
    add(
        r.path,
        register,
        methods=["POST"],
        name=f"register_{r.kind.name}",
        status_code=status.HTTP_201_CREATED,
        response_model=r.out,
    )
    add(r.path, list_all, methods=["GET"], name=f"list_{r.plural}", response_model=list[r.out])
    add(item, get, methods=["GET"], name=f"get_{r.kind.name}", response_model=r.out)
    add(item, update, methods=["PATCH"], name=f"update_{r.kind.name}", response_model=r.out)
    add(
        f"{item}/retirement",
        retire,
        methods=["POST"],
        name=f"retire_{r.kind.name}",
        response_model=r.out,
    )
    if r.rows is not None:
        rows = r.rows

        async def import_rows(code: str, request: Request, uow: UoW = Depends(uow)):
            lines = await read_lines(request, rows)
            added = await handlers.import_rows(uow, r.kind, code, lines)
            return s.Imported(
                community_code=code, created=len(added), codes=[a.code for a in added]
            )

        add(
            f"/communities/{{code}}{r.path}/import",
            import_rows,
            methods=["POST"],
            name=f"import_{r.plural}",
            status_code=status.HTTP_201_CREATED,
            response_model=s.Imported,
            openapi_extra=import_body(rows),
            max_body_size=MAX_BYTES,
            description=r.imports_doc,
        )
    return router


def _typed(endpoint: Callable, **annotations: Any) -> None:
    """Give an endpoint's parameters their aggregate's types, for FastAPI to read."""
    signature = inspect.signature(endpoint)
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=annotations.get(p.name, p.annotation))
            for p in signature.parameters.values()
        ]
    )


def _list_signature(endpoint: Callable, queries: list[str]) -> None:
    """The list route's parameters: its filters as optional query parameters, in order."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            *(inspect.Parameter(q, keyword, default=None, annotation=str | None) for q in queries),
            inspect.Parameter("include_retired", keyword, default=False, annotation=bool),
            inspect.Parameter("uow", keyword, default=Depends(uow), annotation=UoW),
        ]
    )


router = APIRouter()
for resource in RESOURCES:
    router.include_router(routes(resource))
