"""The role × route × scope matrix a service's API is checked against, for its
`tests/integration/test_access_matrix.py`.

A service's test writes a table, `(method, path) → (the roles allowed, what the path, query or
body aims at)`, builds a world of objects in two communities (Taipingjie, inside every scope
under test, and Changshan, outside), and says how a request is aimed at one community's objects;
`walk` then tries every route as every role, inside the role's scope and outside it:

- "allowed" means the request passed the gate (any answer but 401, 403 or 404, never a 5xx: an
  allowed step on an object in the wrong state may be a 409 or 422);
- outside its scope an allowed role hears 404 (not 403, which would tell the object exists);
- a role not allowed hears 403 or 404.

The platform itself (`service`) is a role like the others in the table, and has no outside.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from lianxin.auth import Scope, SigningKey
from lianxin.http_clients import async_client
from lianxin.persistence.db import make_engine, make_session_factory
from lianxin.settings import ServiceSettings

INSIDE = frozenset({"taipingjie"})
# Each role's scope under test: everything of Taipingjie's that the role may have.
SCOPES = {
    "alliance_admin": Scope(alliance="tpj-alliance", communities=INSIDE),
    "street_coordinator": Scope(communities=INSIDE),
    "community_coordinator": Scope(communities=INSIDE),
    "grid_leader": Scope(communities=INSIDE, grid_nodes=frozenset({"tpj-g1"})),
    "member_unit_liaison": Scope(communities=INSIDE, member_unit="tpj-u01"),
    "department_operator": Scope(department="power_supply"),
    "volunteer": Scope(communities=INSIDE),
    "service": Scope(),
}
PLATFORM = "service"
# The two communities a test's world is built in, with the prefix of their codes: inside every
# scope under test, and outside.
COMMUNITIES = (("tpj", "taipingjie"), ("cs", "changshan"))
# The groups of roles the tables name (the platform may do everything): the coordinators, with
# the grid leader, and everyone of the platform in a community.
COORDINATORS = frozenset(
    {"alliance_admin", "street_coordinator", "community_coordinator", PLATFORM}
)
WITH_GRID_LEADER = COORDINATORS | {"grid_leader"}
IN_THE_COMMUNITY = WITH_GRID_LEADER | {"member_unit_liaison", "volunteer"}
# Routes every service has that no token guards (the operations router checks its own role,
# alliance administrators, as in every service).
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/ops/outbox"),
    ("GET", "/ops/dead-letters"),
    ("POST", "/ops/dead-letters/{dead_letter_id}/replay"),
}

Table = dict[tuple[str, str], tuple[frozenset[str], str]]
Ids = dict[str, str]
# (method, path template, target, one community's ids) → the path (with query) and the body.
Aim = Callable[[str, str, str, Ids], tuple[str, Any]]
# (role, path template, target) → the ids of each world outside the role's scope.
Outside = Callable[[str, str, str], list[Ids]]


def unlisted(app: FastAPI, table: Table) -> set[tuple[str, str]]:
    """The guarded routes of `app` without a row in `table` (and rows without a route)."""
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    return (routes - PUBLIC) ^ set(table)


def with_ids(template: str, ids: Ids) -> str:
    """The path `template` with each `{<kind>_id}` the id of `ids[<kind>]`."""
    return re.sub(r"\{(\w+)_id\}", lambda name: ids[name[1]], template)


def cases(table: Table, last: Iterable[str]) -> list[tuple[str, str, frozenset[str], str]]:
    """Reads first, removals and the steps ending in `last` (closing, cancelling…) last, so that
    what one request changes does not hide another's object."""
    endings = tuple(last)
    rows = [(m, t, allowed, target) for (m, t), (allowed, target) in table.items()]
    return sorted(
        rows, key=lambda r: (r[0] != "GET", r[0] == "DELETE", r[1].endswith(endings), r[1])
    )


async def made(answer: httpx.Response) -> dict[str, Any]:
    """The created (or changed) object of a request that must succeed while building a world."""
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@asynccontextmanager
async def in_process(
    create_app: Callable[..., FastAPI], service: str, database: str, key: SigningKey
) -> AsyncIterator[httpx.AsyncClient]:
    """The service's API in-process on its migrated database, tokens signed by `key`; without
    the lifespan (relay, consumers, workers): the routes need only the database."""

    async def jwks() -> dict[str, Any]:
        return {"keys": [key.public_jwk()]}

    app = create_app(ServiceSettings(service_name=service, database_url=database), lambda rt: jwks)
    engine = make_engine(database)
    rt = app.state.runtime
    rt.engine, rt.sessions = engine, make_session_factory(engine)
    transport = httpx.ASGITransport(app=app)
    async with async_client(transport=transport, base_url=f"http://{service}") as client:
        yield client
    await engine.dispose()


async def walk(
    api: httpx.AsyncClient,
    table: Table,
    last: Iterable[str],
    tokens: dict[str, dict[str, str]],
    inside: Ids,
    aim: Aim,
    outside: Outside,
) -> list[str]:
    """Every route as every role (`tokens`: the role's headers), on `inside` and on each of
    `outside`'s; what went otherwise than the table says, one line each."""
    wrong: list[str] = []
    for method, template, allowed, target in cases(table, last):
        for role, headers in tokens.items():
            path, body = aim(method, template, target, inside)
            answer = await api.request(method, path, headers=headers, json=body)
            status = answer.status_code
            if status >= 500 or (status not in (401, 403, 404)) != (role in allowed):
                wrong.append(f"{role} {method} {path} inside: {status} {answer.text[:120]}")
            if role == PLATFORM:
                continue  # the platform's scope has no outside
            for ids in outside(role, template, target):
                path, body = aim(method, template, target, ids)
                answer = await api.request(method, path, headers=headers, json=body)
                status = answer.status_code
                if status != 404 if role in allowed else status not in (403, 404):
                    wrong.append(f"{role} {method} {path} outside: {status} {answer.text[:120]}")
    return wrong
