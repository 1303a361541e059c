"""The shop's counter book: a community's latest redemptions, for its coordinators to hand the
goods over or cancel one (the console's shop page reads it)."""

from __future__ import annotations

from lianxin.auth import Principal, Role, Scope

from .conftest import bearer

CS = Scope(communities=frozenset({"changshan"}))
COORD = bearer(Principal("coord", Role.COMMUNITY_COORDINATOR, CS, "社区书记"))
OTHER = bearer(Principal("c2", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"x"}))))
HER = bearer(Principal("cs-volunteer", Role.VOLUNTEER, CS, "李阿姨"))


async def test_the_counter_book_lists_the_latest_redemptions_for_coordinators_only(api) -> None:
    body = {
        "community_code": "changshan",
        "name": "李阿姨",
        "contact": "13812345678",
        "home_node_path": ["cs-g1"],
        "account": "cs-volunteer",
    }
    her = (await api.post("/volunteers", json=body, headers=COORD)).json()["id"]
    await api.post(
        "/transfers/adjustments",
        json={"volunteer_id": her, "amount": 100, "reason": "纸质存折"},
        headers=COORD,
    )
    item = (
        await api.post(
            "/shop/items",
            headers=COORD,
            json={
                "community_code": "changshan",
                "name": "洗衣液",
                "donor_kind": "firm",
                "donor": "超市",
                "price": 30,
                "stock": 5,
            },
        )
    ).json()
    url = f"/shop/items/{item['id']}/redemptions"
    first = await api.post(
        url, json={"volunteer_id": her, "handed_over_by": "积分超市"}, headers=HER
    )
    second = await api.post(
        url, json={"volunteer_id": her, "handed_over_by": "王会计"}, headers=COORD
    )
    assert first.status_code == second.status_code == 201, first.text + second.text

    book = await api.get("/shop/redemptions?community_code=changshan", headers=COORD)
    assert book.status_code == 200, book.text
    assert [r["id"] for r in book.json()] == [second.json()["id"], first.json()["id"]]
    assert book.json()[0]["handed_over_by"] == "王会计"
    assert (
        len(
            (
                await api.get("/shop/redemptions?community_code=changshan&limit=1", headers=COORD)
            ).json()
        )
        == 1
    )

    assert (
        await api.get("/shop/redemptions?community_code=changshan", headers=OTHER)
    ).status_code == 404
    assert (
        await api.get("/shop/redemptions?community_code=changshan", headers=HER)
    ).status_code == 403
    bad = await api.get("/shop/redemptions?community_code=changshan&limit=0", headers=COORD)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limit"
