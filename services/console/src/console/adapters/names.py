"""The names every page shows for codes, from incidents' read models of the organisation: every
community's and department's name (`/names`, which a department's operator may read too, unlike
organisation's places) and the grid nodes the user may see (`/grid-nodes`).

Kept a minute per scope: a page of incidents needs a few hundred grid nodes' names, and
fetching them for every page (and every live refresh) would cost more than the page.
"""

from __future__ import annotations

import asyncio
import time

from console.adapters.services import Services
from console.domain.names import Names
from lianxin.auth import Principal

TTL = 60.0  # seconds: a renamed community shows its new name within a minute

_cache: dict[tuple, tuple[float, Names]] = {}


def _key(principal: Principal) -> tuple:
    scope = principal.scope
    return (
        principal.role,
        tuple(sorted(scope.communities)),
        tuple(sorted(scope.grid_nodes)),
        scope.department,
    )


async def names_for(principal: Principal, services: Services) -> Names:
    key = _key(principal)
    now = time.monotonic()
    found = _cache.get(key)
    if found and found[0] > now:
        return found[1]
    named, nodes = await asyncio.gather(
        services.get("incidents", "/names"), services.get("incidents", "/grid-nodes")
    )
    found = named.body if named.ok and isinstance(named.body, dict) else {}
    departments = found.get("departments") or {}
    names = Names(
        communities=dict(found.get("communities") or {}),
        grid_nodes={n["code"]: n["name"] for n in _rows(nodes)},
        departments={c: (d["name"], d.get("name_en") or "") for c, d in departments.items()},
    )
    if len(_cache) > 1000:  # scopes are few; never let odd ones pile up
        _cache.clear()
    _cache[key] = (now + TTL, names)
    return names


def _rows(answer) -> list[dict]:
    return answer.body if answer.ok and isinstance(answer.body, list) else []
