"""Loading the demo through organisation's HTTP API, so every row is also an event on ORG.

Idempotent: what exists already (409, or a code the community already has) is left as it is, so
a second run changes nothing. Independent requests go concurrently and each community's tree,
people and party organisations go as one bulk import each, so loading takes about a second.
With `lists`, resources' and volunteers' demo data follows (`lists.py`, `volunteering.py`,
`deliberations.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpx

from lianxin.auth import fetch_token
from lianxin.demo.accounts import open_accounts
from lianxin.demo.calls import Calls
from lianxin.demo.care import load_care, load_care_volunteers
from lianxin.demo.deliberations import load_deliberations
from lianxin.demo.lists import load_lists
from lianxin.demo.organisations import (
    ALLIANCES,
    BIG_COMMITTEES,
    CHAIR_TERMS,
    COMMUNITIES,
    DEPARTMENTS,
    DISTRICTS,
    MEMBER_UNITS,
    STREETS,
)
from lianxin.demo.trees import TREES
from lianxin.demo.volunteering import load_volunteering
from lianxin.http_clients import async_client
from lianxin.settings import ServiceSettings


def _without(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in keys}


async def load(http: httpx.AsyncClient, *, people: bool = True) -> dict[str, int]:
    """Returns how many of each kind were created on this run. Without `people`, the party
    organisations and people are left out: what incidents needs (places, departments, member
    units, committees, trees) comes in about a third of the events."""
    call = Calls(http)

    async def post(kind: str, path: str, body: dict[str, Any]) -> None:
        if await call("POST", path, body, ok=(409,)) is not None:  # 409: there already
            call.count(kind)

    async def each(kind: str, path: str, items: Iterable[dict[str, Any]]) -> None:
        await asyncio.gather(*(post(kind, path, item) for item in items))

    async def committee(body: dict[str, Any]) -> None:
        code = body["community_code"]
        await post(
            "big_committees", f"/communities/{code}/big-committee", _without(body, "community_code")
        )
        have = (await call("GET", f"/communities/{code}/big-committee"))["chair_terms"]
        path = f"/communities/{code}/big-committee/chair-terms"
        held = {t["starts_on"] for t in have}
        terms = [t for t in CHAIR_TERMS.get(code, []) if t["starts_on"] not in held]
        await each("chair_terms", path, terms)

    async def bulk(kind: str, what: str, batches: dict[str, list[dict[str, Any]]], path: str):
        """Import each community's batch, leaving out the codes the community already has."""

        async def one(community: str, rows: list[dict[str, Any]]) -> None:
            listing = await call("GET", path.format(community=community), include_retired="true")
            existing = {item["code"] for item in listing}
            missing = [_without(r, "community_code") for r in rows if r["code"] not in existing]
            if missing:
                made = await call("POST", f"/communities/{community}/{what}/import", missing)
                call.count(kind, made["created"])

        await asyncio.gather(*(one(c, rows) for c, rows in batches.items() if rows))

    def by_community(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        batches: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            batches.setdefault(item["community_code"], []).append(item)
        return batches

    await each("districts", "/districts", DISTRICTS)
    await each("streets", "/streets", STREETS)
    await each("communities", "/communities", COMMUNITIES)
    # The trees first: they are what incidents needs to take reports.
    trees = {c: tree[0] for c, tree in TREES.items()}
    await asyncio.gather(
        bulk("grid_nodes", "grid-nodes", trees, "/communities/{community}/grid-nodes"),
        each("departments", "/departments", DEPARTMENTS),
        bulk(
            "member_units",
            "member-units",
            by_community(MEMBER_UNITS),
            "/member-units?community_code={community}",
        ),
    )
    rest = [each("alliances", "/alliances", ALLIANCES), *map(committee, BIG_COMMITTEES)]
    if people:
        # People hold posts on the tree and work for member units; party organisations sit on it.
        rest += [
            bulk(
                "people",
                "people",
                {c: tree[2] for c, tree in TREES.items()},
                "/people?community_code={community}",
            ),
            bulk(
                "party_organisations",
                "party-organisations",
                {c: tree[1] for c, tree in TREES.items()},
                "/party-organisations?community_code={community}",
            ),
        ]
    await asyncio.gather(*rest)
    return call.created


def load_demo(
    organisation_url: str,
    platform_secret: str,
    *,
    people: bool = True,
    lists: bool = False,
    resources_url: str | None = None,
    volunteers_url: str | None = None,
) -> dict[str, int]:
    """Load the demo alliance into the organisation at `organisation_url`, as the platform.

    With `lists`, then also the resources lists, meeting, project and wishes (resources, at
    `resources_url`) and Changshan's volunteers, teams, points and shop (volunteers, at
    `volunteers_url`); each defaults to its `<SERVICE>_URL`, else its default port."""
    token = fetch_token(organisation_url, "platform", platform_secret, client=True)
    headers = {"Authorization": f"Bearer {token}"}

    def client(url: str) -> httpx.AsyncClient:
        return async_client(base_url=url, timeout=30, headers=headers)

    async def run() -> dict[str, int]:
        async with client(organisation_url) as http:
            created = await load(http, people=people)
            if opened := await open_accounts(http):
                created["accounts"] = opened
            if people:
                created |= {f"care_{k}": n for k, n in (await load_care(http)).items()}
        if lists:
            urls = ServiceSettings()
            async with (
                client(resources_url or urls.service_url("resources")) as resources,
                client(volunteers_url or urls.service_url("volunteers")) as volunteers,
            ):
                for part in await asyncio.gather(
                    load_lists(resources), load_volunteering(volunteers)
                ):
                    created |= part
                if people:  # the care register's carers who are volunteers (issue #18)
                    created |= await load_care_volunteers(volunteers)
            # Residents' deliberations raise incidents: after the lists, with incidents too.
            async with (
                client(organisation_url) as org,
                client(resources_url or urls.service_url("resources")) as resources,
                client(urls.service_url("incidents")) as incidents,
            ):
                created |= await load_deliberations(org, resources, incidents)
        return created

    return asyncio.run(run())
