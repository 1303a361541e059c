"""A coordinator calls a shift off on a real PostgreSQL: those signed up are released and told
why (one `volunteers.shift.called_off` in the outbox), no points move, and the shift takes no
more sign-ups; a stranger, another community's coordinator and a started shift are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from lianxin.auth import Principal, Role, Scope
from volunteers.adapters.orm import outbox, shifts, transfers

from .conftest import UowFactory, a_team_shift, bearer

CS = frozenset({"changshan"})
COORD = bearer(Principal("coord", Role.COMMUNITY_COORDINATOR, Scope(communities=CS), "社区书记"))
ELSEWHERE = bearer(
    Principal("c2", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"taipingjie"})))
)
GRID_LEADER = bearer(Principal("g", Role.GRID_LEADER, Scope(communities=CS)))


def as_volunteer(volunteer_id: str) -> dict[str, str]:
    return bearer(Principal(volunteer_id, Role.VOLUNTEER, Scope(communities=CS)))


async def _signed_up_shift(api) -> tuple[str, str, str]:
    """A shift of Changshan starting in 20 minutes that the member signed up for."""
    ids = []
    for name in ("王师傅", "李阿姨"):
        body = {
            "community_code": "changshan",
            "name": name,
            "contact": "13812345678",
            "home_node_path": ["cs-g1"],
        }
        answer = await api.post("/volunteers", json=body, headers=COORD)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    leader, member = ids
    _, shift = await a_team_shift(api, COORD, "changshan", "cs-g1", leader, member, places=3)
    signed = await api.post(f"/shifts/{shift['id']}/sign-ups", headers=as_volunteer(member))
    assert signed.status_code == 200, signed.text
    return shift["id"], leader, member


async def test_the_shift_is_called_off_and_its_volunteer_released_and_told_why(
    api, uows: UowFactory
) -> None:
    shift_id, leader, member = await _signed_up_shift(api)
    path = f"/shifts/{shift_id}/cancellation"
    blank = await api.post(path, json={"reason": " "}, headers=COORD)
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"

    off = await api.post(path, json={"reason": "暴雪预警，活动取消"}, headers=COORD)
    assert off.status_code == 200, off.text
    assert off.json()["called_off_reason"] == "暴雪预警，活动取消"
    assert [su["status"] for su in off.json()["sign_ups"]] == ["released"]

    [mine] = (await api.get("/my/shifts", headers=as_volunteer(member))).json()
    assert (mine["called_off_reason"], mine["sign_ups"][0]["status"]) == (
        "暴雪预警，活动取消",
        "released",
    )
    for refused in (
        await api.post(f"/shifts/{shift_id}/sign-ups", headers=as_volunteer(leader)),
        await api.post(path, json={"reason": "again"}, headers=COORD),
        await api.post(
            f"/shifts/{shift_id}/check-in",
            json={"volunteer_id": member},
            headers=as_volunteer(leader),
        ),
    ):
        assert refused.status_code == 409, refused.text
        assert refused.json()["errors"][0]["type"] == "shift_called_off"

    async with uows() as check:
        sent = (await check.session.execute(select(outbox.c.subject, outbox.c.event))).all()
        moved = (await check.session.scalars(select(transfers.c.id))).all()
    [called_off] = [event for subject, event in sent if subject == "volunteers.shift.called_off"]
    data = called_off["data"]
    assert (data["shift_id"], data["reason"], data["released"]) == (
        shift_id,
        "暴雪预警，活动取消",
        [member],
    )
    assert moved == []  # nobody served: no points


async def test_only_its_communitys_coordinators_call_it_off_and_only_before_the_start(
    api, uows: UowFactory
) -> None:
    shift_id, _, member = await _signed_up_shift(api)
    path = f"/shifts/{shift_id}/cancellation"
    body = {"reason": "场地不可用"}
    assert (await api.post(path, json=body, headers=ELSEWHERE)).status_code == 404
    assert (await api.post(path, json=body, headers=GRID_LEADER)).status_code == 403
    assert (await api.post(path, json=body, headers=as_volunteer(member))).status_code == 403

    async with uows() as arrange:  # the shift started a minute ago
        started = datetime.now(UTC) - timedelta(minutes=1)
        await arrange.session.execute(
            update(shifts).where(shifts.c.id == shift_id).values(starts_at=started)
        )
        await arrange.commit()
    late = await api.post(path, json=body, headers=COORD)
    assert late.status_code == 409, late.text
    assert late.json()["errors"][0] == {
        "field": "reason",
        "detail": "the shift has started: it can no longer be called off",
        "type": "shift_started",
    }
