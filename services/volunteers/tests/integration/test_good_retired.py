"""A coordinator takes a good off the points shop's shelf on a real PostgreSQL: it is no longer
listed, redeemed nor restocked (409 `item_retired`), and its past redemption stays in the book;
a volunteer, a grid leader and another community's coordinator may not retire it."""

from __future__ import annotations

from lianxin.auth import Principal, Role, Scope

from .conftest import bearer

CS = frozenset({"changshan"})
COORD = bearer(Principal("coord", Role.COMMUNITY_COORDINATOR, Scope(communities=CS), "社区书记"))
ELSEWHERE = bearer(
    Principal("c2", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"taipingjie"})))
)
GRID_LEADER = bearer(Principal("g", Role.GRID_LEADER, Scope(communities=CS)))
OIL = {
    "community_code": "changshan",
    "name": "食用油",
    "donor_kind": "member_unit",
    "donor": "长山物业",
    "price": 20,
    "stock": 5,
}


async def test_a_retired_good_leaves_the_shelf_and_its_redemptions_stay(api) -> None:
    body = {
        "community_code": "changshan",
        "name": "李阿姨",
        "contact": "13812345678",
        "home_node_path": ["cs-g1"],
    }
    volunteer = (await api.post("/volunteers", json=body, headers=COORD)).json()["id"]
    me = bearer(Principal(volunteer, Role.VOLUNTEER, Scope(communities=CS)))
    paid = {"volunteer_id": volunteer, "amount": 100, "reason": "纸质存折"}
    assert (await api.post("/transfers/adjustments", json=paid, headers=COORD)).status_code == 201
    item = (await api.post("/shop/items", json=OIL, headers=COORD)).json()
    path = f"/shop/items/{item['id']}"
    redeem = {"volunteer_id": volunteer, "handed_over_by": "王会计"}
    redeemed = await api.post(f"{path}/redemptions", json=redeem, headers=me)
    assert redeemed.status_code == 201, redeemed.text

    for stranger, status in ((ELSEWHERE, 404), (GRID_LEADER, 403), (me, 403)):
        assert (await api.post(f"{path}/retirement", headers=stranger)).status_code == status
    retired = await api.post(f"{path}/retirement", headers=COORD)
    assert retired.status_code == 200, retired.text
    assert retired.json()["retired_at"] is not None

    shelf = await api.get("/shop/items?community_code=changshan", headers=me)
    assert item["id"] not in [i["id"] for i in shelf.json()]
    for refused in (
        await api.post(f"{path}/redemptions", json=redeem, headers=me),
        await api.post(f"{path}/stock", json={"added": 1}, headers=COORD),
        await api.post(f"{path}/retirement", headers=COORD),
    ):
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["type"] == "item_retired"

    book = (await api.get("/shop/redemptions?community_code=changshan", headers=COORD)).json()
    assert [r["id"] for r in book] == [redeemed.json()["id"]]
    passbook = (await api.get(f"/volunteers/{volunteer}/passbook", headers=me)).json()
    assert passbook["spendable"] == 80
