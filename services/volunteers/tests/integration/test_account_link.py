"""A volunteer's token names her organisation account; the profile linked to that account is who
she speaks for, over HTTP on a real PostgreSQL: her profile, sign-ups, shifts and passbook; the
leader of a shift's team sees its roster and code (issue #13)."""

from __future__ import annotations

import asyncio

from lianxin.auth import Principal, Role, Scope

from .conftest import a_team_shift, bearer

CS = Scope(communities=frozenset({"changshan"}))
COORD = bearer(Principal("coord", Role.COMMUNITY_COORDINATOR, CS, "社区书记"))


def account(username: str) -> dict[str, str]:
    """A volunteer's token as organisation issues it: the subject is the account's username."""
    return bearer(Principal(username, Role.VOLUNTEER, CS, username))


async def test_her_account_speaks_for_her_profile_and_a_team_leader_sees_the_roster(api) -> None:
    async def person(name: str, username: str) -> str:
        body = {
            "community_code": "changshan",
            "name": name,
            "contact": "13812345678",
            "home_node_path": ["cs-g1"],
            "account": username,
        }
        answer = await api.post("/volunteers", json=body, headers=COORD)
        assert answer.status_code == 201, answer.text
        assert answer.json()["account"] == username
        return answer.json()["id"]

    leader, member = await person("张立春", "cs-leader"), await person("李阿姨", "cs-volunteer")
    again = await api.post(
        "/volunteers",
        headers=COORD,
        json={
            "community_code": "changshan",
            "name": "王师傅",
            "contact": "1",
            "home_node_path": ["cs-g1"],
            "account": "cs-volunteer",
        },
    )
    assert again.status_code == 409 and "cs-volunteer" in again.json()["detail"]

    mine = await api.get("/my/volunteer", headers=account("cs-volunteer"))
    assert mine.status_code == 200 and mine.json()["id"] == member
    assert (await api.get("/my/volunteer", headers=account("nobody"))).status_code == 404
    assert (await api.get("/my/volunteer", headers=COORD)).status_code == 404

    activity, shift = await a_team_shift(api, COORD, "changshan", "cs-g1", leader, member, places=3)

    # An account no profile names signs up no one; hers signs her up.
    nobody = await api.post(f"/shifts/{shift['id']}/sign-ups", headers=account("nobody"))
    assert nobody.status_code == 403, nobody.text
    signed = await api.post(f"/shifts/{shift['id']}/sign-ups", headers=account("cs-volunteer"))
    assert signed.status_code == 200, signed.text
    [own] = signed.json()["sign_ups"]
    assert own["volunteer_id"] == member and signed.json()["code"] is None
    [seen] = (
        await api.get(f"/activities/{activity['id']}/shifts", headers=account("cs-volunteer"))
    ).json()
    assert seen["code"] is None and [s["volunteer_id"] for s in seen["sign_ups"]] == [member]
    [listed] = (await api.get("/my/shifts", headers=account("cs-volunteer"))).json()
    assert listed["id"] == shift["id"] and listed["sign_ups"][0]["status"] == "signed_up"

    # The team's leader sees the roster and the code, and checks her in by his own account.
    [led] = (
        await api.get(f"/activities/{activity['id']}/shifts", headers=account("cs-leader"))
    ).json()
    assert led["code"] == shift["code"] and [s["volunteer_id"] for s in led["sign_ups"]] == [member]
    checked = await api.post(
        f"/shifts/{shift['id']}/check-in",
        json={"volunteer_id": member},
        headers=account("cs-leader"),
    )
    assert checked.status_code == 200, checked.text
    book = await api.get(f"/volunteers/{member}/passbook", headers=account("cs-volunteer"))
    assert book.status_code == 200
    assert (
        await api.get(f"/volunteers/{member}/passbook", headers=account("cs-leader"))
    ).status_code == 404


async def test_two_coordinators_linking_one_account_at_once_get_one_profile_and_a_409(api) -> None:
    """Both requests find no profile with the account and both insert: the unique key lets one
    in, and the other is a 409 that says so (it was a 500)."""

    def body(name: str) -> dict:
        return {
            "community_code": "changshan",
            "name": name,
            "contact": "13812345678",
            "home_node_path": ["cs-g1"],
            "account": "cs-twice",
        }

    answers = await asyncio.gather(
        *(api.post("/volunteers", json=body(f"志愿者{n}"), headers=COORD) for n in range(6))
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409, 409, 409, 409, 409], [a.text for a in answers]
    refused = [a for a in answers if a.status_code == 409]
    assert all(a.headers["content-type"] == "application/problem+json" for a in refused)
