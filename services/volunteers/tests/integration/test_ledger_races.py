"""The ledger and the shop on a real PostgreSQL under concurrency and redelivery: the last items
go to exactly as many people as there are items, a service is credited once however often its
event arrives, and reconciliation finds nothing after a mixed run."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import func, select

from lianxin.auth import Principal, Role, Scope
from lianxin.errors import Conflict
from lianxin.testing.events import as_sent, closed_wish, escalation
from volunteers.adapters.orm import entries, transfers
from volunteers.domain.accounts import Account, AccountKind
from volunteers.service_layer import commands, mobilising, points

CS = frozenset({"changshan"})
COORD = Principal("coord", Role.COMMUNITY_COORDINATOR, Scope(communities=CS))
ADMIN = Principal("admin", Role.ALLIANCE_ADMIN, Scope(communities=CS))
NOW = datetime.now(UTC)


async def person(uows, name: str, **kw) -> UUID:
    data = {
        "community_code": "changshan",
        "name": name,
        "contact": "13812345678",
        "home_node_path": ["cs-g1", "cs-g1-m1"],
        **kw,
    }
    return (await commands.register_volunteer(uows(), COORD, data)).id


async def an_item(uows, stock: int, price: int = 30) -> UUID:
    body = {
        "community_code": "changshan",
        "name": "大米",
        "donor_kind": "civil_affairs",
        "donor": "民政局",
        "price": price,
        "stock": stock,
    }
    return (await points.stock_item(uows(), COORD, body)).id


async def test_fifty_concurrent_redemptions_of_the_last_ten_items_give_exactly_ten(uows) -> None:
    people = [await person(uows, f"志愿者{i}") for i in range(50)]
    for v in people:
        await points.adjust(uows(), COORD, v, 100, "开户积分")
    item = await an_item(uows, stock=10)

    async def attempt(volunteer_id: UUID) -> str:
        try:
            await points.redeem(uows(), COORD, item, volunteer_id, "王会计")
            return "redeemed"
        except Conflict:
            return "refused"

    started = time.perf_counter()
    outcomes = await asyncio.gather(*(attempt(v) for v in people))
    elapsed = time.perf_counter() - started
    print(
        f"\n50 concurrent redemptions of 10 items: {outcomes.count('redeemed')} redeemed, "
        f"{outcomes.count('refused')} refused in {elapsed:.2f}s"
    )
    assert (outcomes.count("redeemed"), outcomes.count("refused")) == (10, 40)
    async with uows() as uow:
        assert (await uow.shop.item(item)).stock == 0
        counter = await uow.ledger.account(Account.of(AccountKind.SHOP, "changshan").id)
        assert counter.balance == 10 * 30
        assert await uow.ledger.reconcile() == []


async def test_one_volunteer_racing_themself_never_goes_negative(uows) -> None:
    """Ten redemptions at once from a passbook that pays for three: three succeed."""
    volunteer = await person(uows, "心急的人")
    await points.adjust(uows(), COORD, volunteer, 90, "开户积分")
    item = await an_item(uows, stock=10)

    async def attempt() -> bool:
        try:
            await points.redeem(uows(), COORD, item, volunteer, "王会计")
            return True
        except Conflict:
            return False

    assert sum(await asyncio.gather(*(attempt() for _ in range(10)))) == 3
    async with uows() as uow:
        book = await uow.ledger.account(Account.passbook(volunteer, "changshan").id)
        assert (book.balance, book.lifetime, (await uow.shop.item(item)).stock) == (0, 90, 7)


async def test_the_same_wish_shift_or_incident_replayed_credits_once(uows) -> None:
    member = await person(uows, "党员", party_member_kind="registered")
    wish = closed_wish(member)
    once = as_sent(wish)
    events = [once, once] + [as_sent(wish) for _ in range(4)]
    # Redelivered and re-sent at once: the inbox drops one, the source key the others.
    await asyncio.gather(
        *(points.credit_wish(uows(), e, wish, "volunteers_wishes") for e in events)
    )

    escalated = escalation()
    war = as_sent(escalated)
    mobilisation = await mobilising.mobilise_for_emergency(uows(), war, escalated, "v_incidents")
    assert await mobilising.mobilise_for_emergency(uows(), war, escalated, "v_incidents") is None
    again = as_sent(escalated)  # escalated again, a new event
    assert await mobilising.mobilise_for_emergency(uows(), again, escalated, "v_incidents") is None
    t0 = datetime.now(UTC) - timedelta(hours=2)
    await mobilising.respond(uows(), COORD, mobilisation.id, member, "check_in", clock=lambda: t0)
    await mobilising.close(uows(), COORD, mobilisation.id)
    with pytest.raises(Conflict):  # closed already: no second payment
        await mobilising.close(uows(), COORD, mobilisation.id)

    async with uows() as uow:
        history = await uow.ledger.history(Account.passbook(member, "changshan").id)
        keys = sorted(t.source_key.split(":")[0] for t in history)
        assert keys == ["mobilisation", "wish"]
        assert len(await uow.mobilisations.list("changshan")) == 1


async def test_reconciliation_finds_nothing_after_a_mixed_run(uows) -> None:
    a, b = await person(uows, "甲"), await person(uows, "乙")
    item = await an_item(uows, stock=5, price=20)
    first = await points.adjust(uows(), COORD, a, 100, "纸质存折")
    await points.adjust(uows(), COORD, b, 60, "纸质存折")
    redemptions = [await points.redeem(uows(), COORD, item, v, "王会计") for v in (a, a, b)]
    with pytest.raises(Conflict, match="holds 60 points"):  # spent points cannot be taken back
        await points.reverse(uows(), COORD, first.id, "录错了")
    for r in redemptions[:2]:
        await points.cancel_redemption(uows(), COORD, r.id, "换货")
    await points.reverse(uows(), COORD, first.id, "录错了")
    with pytest.raises(Conflict, match="reversed already"):
        await points.reverse(uows(), COORD, first.id, "again")
    assert await points.reconcile(uows(), ADMIN) == []
    async with uows() as uow:
        total = await uow.session.scalar(select(func.coalesce(func.sum(entries.c.amount), 0)))
        kinds = (await uow.session.scalars(select(transfers.c.kind))).all()
        book = await uow.ledger.account(Account.passbook(a, "changshan").id)
    assert total == 0
    assert sorted(set(kinds)) == ["adjust", "redeem", "refund", "reversal"]
    assert (book.balance, book.lifetime) == (0, 0)


async def test_a_shift_checked_out_twice_credits_once(uows) -> None:
    leader, member = await person(uows, "王师傅"), await person(uows, "李阿姨")
    team = await commands.form_team(uows(), COORD, "changshan", "红马甲", "red_vest")
    await commands.change_team(uows(), COORD, team.id, leader, "join", "leader")
    await commands.change_team(uows(), COORD, team.id, member, "join")
    activity = await commands.plan_activity(
        uows(),
        COORD,
        {
            "community_code": "changshan",
            "node_code": "cs-g1",
            "kind": "elder_care",
            "title": "探访",
            "team_id": team.id,
        },
    )
    # 09:00 in Changshan tomorrow: after the team was formed (now), and not at night.
    t0 = (datetime.now(UTC) + timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)

    def at(minutes: int):
        return lambda: t0 + timedelta(minutes=minutes)

    shift = await commands.schedule_shift(
        uows(),
        COORD,
        activity.id,
        {
            "starts_at": t0 + timedelta(hours=1),
            "ends_at": t0 + timedelta(hours=3),
            "place": "3号楼",
            "places": 5,
        },
        at(0),
    )
    chief = Principal(str(leader), Role.VOLUNTEER, Scope(communities=CS))
    mine = Principal(str(member), Role.VOLUNTEER, Scope(communities=CS))
    await commands.sign_up(uows(), mine, shift.id, clock=at(5))
    await commands.attend(uows(), chief, shift.id, member, "check_in", clock=at(60))
    await asyncio.gather(
        *(
            commands.attend(uows(), chief, shift.id, member, "check_out", clock=at(180))
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    async with uows() as uow:
        [earned] = await uow.ledger.history(Account.passbook(member, "changshan").id)
        assert (earned.kind, earned.amount) == ("earn", 20)
        assert await uow.ledger.reconcile() == []
