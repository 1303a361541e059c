"""The demo alliance, loaded through the API: the articles' figures, twice without change."""

from __future__ import annotations

import httpx

from lianxin.demo import FIGURES, GRID_NODES, load


async def count(org: httpx.AsyncClient, path: str, **params) -> int:
    return len((await org.get(path, params=params)).json())


async def test_the_demo_adds_up_to_the_articles_figures_and_loads_once(org, outbox) -> None:
    created = await load(org)
    assert created["grid_nodes"] == len(GRID_NODES)
    for code, figures in FIGURES.items():
        totals = (await org.get(f"/communities/{code}")).json()["totals"]
        for name in ("households", "residents", "merchants"):
            if name in figures:
                assert totals[name] == figures[name], (code, name)
        tree = f"/communities/{code}/grid-nodes"
        for kind in ("grid", "compound", "micro_grid", "building", "unit"):
            if f"{kind}s" in figures:
                assert await count(org, tree, kind=kind) == figures[f"{kind}s"], (code, kind)
        parties = "/party-organisations"
        for kind in ("grid_party_branch", "building_party_group", "party_household"):
            if f"{kind}es" in figures or f"{kind}s" in figures:
                want = figures.get(f"{kind}es", figures.get(f"{kind}s"))
                assert await count(org, parties, community_code=code, kind=kind) == want
    posts = {
        n["code"]: len((await org.get(f"/grid-nodes/{n['code']}/posts")).json())
        for n in GRID_NODES
        if n["community_code"] == "taipingjie" and n["kind"] == "micro_grid"
    }
    # 105 people hold the 44 micro-grids' posts (一长六员), two or three in each.
    assert set(posts.values()) == {2, 3} and sum(posts.values()) == 105
    in_service = await count(
        org, "/people", community_code="taipingjie", party_member_kind="in_service"
    )
    assert in_service == FIGURES["taipingjie"]["in_service_members"]

    written = len(await outbox())
    assert await load(org) == {}
    assert len(await outbox()) == written
