"""The service layer on the fake unit of work: each command's scope, its one transaction, and
the points it moves, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from lianxin.auth import Principal, Role, Scope
from lianxin.contracts.incidents import IncidentClosed
from lianxin.errors import Conflict, Forbidden, NotFound
from lianxin.testing.events import as_sent, closed_wish, escalation
from volunteers.domain.accounts import Account, AccountKind
from volunteers.domain.periods import Period
from volunteers.domain.rules import PointsRules
from volunteers.service_layer import commands, mobilising, points

# 09:00 in Changshan on a Saturday; the shift runs 10:00–12:00 the same day.
T0 = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
COORD = Principal(
    "coord-cs", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"changshan"}))
)
OTHER = Principal(
    "coord-tpj", Role.COMMUNITY_COORDINATOR, Scope(communities=frozenset({"taipingjie"}))
)
ADMIN = Principal("admin", Role.ALLIANCE_ADMIN, Scope(communities=frozenset({"changshan"})))


def at(minutes: int):
    return lambda: T0 + timedelta(minutes=minutes)


def me(volunteer_id: UUID) -> Principal:
    return Principal(str(volunteer_id), Role.VOLUNTEER, Scope(communities=frozenset({"changshan"})))


async def person(uow, name: str, path=("cs-g1", "cs-g1-m1"), **kw) -> UUID:
    data = {
        "community_code": "changshan",
        "name": name,
        "contact": "13812345678",
        "home_node_path": list(path),
        **kw,
    }
    return (await commands.register_volunteer(uow, COORD, data, at(0))).id


async def on_the_shelf(uow, name: str, *, price: int, stock: int) -> Any:
    """An item a firm gave to Changshan's shop, stocked by its coordinator."""
    data = {"community_code": "changshan", "name": name, "donor_kind": "firm", "donor": "超市"}
    return await points.stock_item(uow, COORD, {**data, "price": price, "stock": stock}, at(0))


async def a_shift(uow) -> tuple[UUID, UUID, UUID]:
    """A red-vest team with a leader and a member, an elder-care activity, one shift."""
    leader, member = await person(uow, "王师傅"), await person(uow, "李阿姨")
    team = await commands.form_team(uow, COORD, "changshan", "红马甲", "red_vest", at(0))
    await commands.change_team(uow, COORD, team.id, leader, "join", "leader", at(0))
    await commands.change_team(uow, COORD, team.id, member, "join", "member", at(0))
    activity = await commands.plan_activity(
        uow,
        COORD,
        {
            "community_code": "changshan",
            "node_code": "cs-g1",
            "kind": "elder_care",
            "title": "探访独居老人",
            "team_id": team.id,
        },
        at(0),
    )
    shift = await commands.schedule_shift(
        uow,
        COORD,
        activity.id,
        {
            "starts_at": T0 + timedelta(hours=1),
            "ends_at": T0 + timedelta(hours=3),
            "place": "3号楼",
            "places": 2,
        },
        at(1),
    )
    return shift.id, leader, member


async def test_a_shift_checked_out_by_its_leader_credits_the_hours_once(uow) -> None:
    shift_id, leader, member = await a_shift(uow)
    await commands.sign_up(uow, me(member), shift_id, clock=at(10))
    await commands.attend(uow, me(leader), shift_id, member, "check_in", clock=at(60))
    await commands.attend(uow, me(leader), shift_id, member, "check_out", clock=at(180))
    passbook = Account.passbook(member, "changshan").id
    assert uow.balance(passbook) == 20  # 2 h of elder care at 10 an hour
    with pytest.raises(Conflict):  # a second check-out is refused, and nothing moves
        await commands.attend(uow, me(leader), shift_id, member, "check_out", clock=at(181))
    assert uow.balance(passbook) == 20
    assert uow.types().count("PointsTransferred") == 1
    assert {"ShiftSignedUp", "CheckedIn", "CheckedOut"} <= set(uow.types())


async def test_a_volunteer_checks_in_with_the_shift_code_and_only_themself(uow) -> None:
    shift_id, _, member = await a_shift(uow)
    code = uow.db["shifts"][shift_id].code
    await commands.sign_up(uow, me(member), shift_id, clock=at(10))
    with pytest.raises(Forbidden):
        await commands.attend(uow, me(uuid4()), shift_id, member, "check_in", code=code)
    await commands.attend(uow, me(member), shift_id, member, "check_in", code=code, clock=at(61))
    await commands.attend(uow, me(member), shift_id, member, "check_out", code=code, clock=at(121))
    assert uow.balance(Account.passbook(member, "changshan").id) == 10


async def test_outside_the_community_nothing_exists_and_roles_are_kept(uow) -> None:
    shift_id, _, member = await a_shift(uow)
    with pytest.raises(NotFound):
        await commands.attend(uow, OTHER, shift_id, member, "check_in", clock=at(60))
    with pytest.raises(Forbidden):  # a volunteer registers nobody
        await commands.register_volunteer(
            uow,
            me(member),
            {"community_code": "changshan", "name": "x", "contact": "1", "home_node_path": ["g"]},
        )
    with pytest.raises(Forbidden):  # rules are the alliance administrator's
        await points.set_rules(uow, COORD, PointsRules("changshan"))
    await points.set_rules(uow, ADMIN, PointsRules("changshan", default_per_hour=20))
    assert uow.db["rules"]["changshan"].default_per_hour == 20


async def test_redeem_cancel_and_the_last_item(uow) -> None:
    volunteer = await person(uow, "退休钳工")
    await points.adjust(uow, COORD, volunteer, 100, "纸质存折十年", clock=at(0))
    item = await on_the_shelf(uow, "大米", price=40, stock=1)
    r = await points.redeem(uow, COORD, item.id, volunteer, "王会计", at(5))
    with pytest.raises(Conflict, match="out of stock"):
        await points.redeem(uow, COORD, item.id, volunteer, "王会计", at(6))
    passbook = Account.passbook(volunteer, "changshan")
    assert (uow.balance(passbook.id), uow.db["items"][item.id].stock) == (60, 0)
    await points.cancel_redemption(uow, COORD, r.id, "换货", at(7))
    assert (uow.balance(passbook.id), uow.db["items"][item.id].stock) == (100, 1)
    assert uow.db["accounts"][passbook.id].lifetime == 100  # spending never touched lifetime
    with pytest.raises(Conflict):
        await points.cancel_redemption(uow, COORD, r.id, "again", at(8))
    assert await points.reconcile(uow, ADMIN) == []


async def test_a_volunteer_redeems_only_from_their_own_passbook(uow) -> None:
    mine, theirs = await person(uow, "甲"), await person(uow, "乙")
    await points.adjust(uow, COORD, theirs, 50, "r", clock=at(0))
    item = await on_the_shelf(uow, "油", price=10, stock=5)
    with pytest.raises(NotFound):
        await points.redeem(uow, me(mine), item.id, theirs, "柜台", at(1))
    with pytest.raises(Conflict, match="holds 0 points"):
        await points.redeem(uow, me(mine), item.id, mine, "柜台", at(1))
    assert uow.db["items"][item.id].stock == 5


async def test_expired_points_lower_only_the_spendable_balance_and_can_be_given_back(uow) -> None:
    volunteer = await person(uow, "甲")
    await points.adjust(uow, COORD, volunteer, 30, "r", clock=at(0))
    lapsed = await points.expire(uow, COORD, volunteer, 20, "两年未使用", at(1))
    with pytest.raises(Conflict, match="holds 10 points"):
        await points.expire(uow, COORD, volunteer, 20, "again", at(2))
    book = uow.db["accounts"][Account.passbook(volunteer, "changshan").id]
    assert (book.balance, book.lifetime) == (10, 30)
    await points.reverse(uow, COORD, lapsed.id, "误操作", at(3))
    book = uow.db["accounts"][Account.passbook(volunteer, "changshan").id]
    assert (book.balance, book.lifetime) == (30, 30)


async def test_a_reversal_happens_once(uow) -> None:
    volunteer = await person(uow, "甲")
    t = await points.adjust(uow, COORD, volunteer, 30, "r", clock=at(0))
    await points.reverse(uow, COORD, t.id, "录错了", at(1))
    with pytest.raises(Conflict, match="reversed already"):
        await points.reverse(uow, COORD, t.id, "again", at(2))
    passbook = uow.db["accounts"][Account.passbook(volunteer, "changshan").id]
    assert (passbook.balance, passbook.lifetime) == (0, 0)


async def test_a_wish_credits_its_party_member_once_however_often_it_arrives(uow) -> None:
    member = await person(uow, "党员", party_member_kind="registered")
    wish = closed_wish(member)
    first = as_sent(wish)
    again = as_sent(wish)  # the same wish, another event
    for event in (first, first, again):
        await points.credit_wish(uow, event, wish, "volunteers_wishes", at(0))
    assert uow.balance(Account.passbook(member, "changshan").id) == 10
    assert uow.types().count("PointsTransferred") == 1


async def test_a_wish_claimed_on_the_board_with_her_account_credits_the_linked_volunteer(
    uow,
) -> None:
    """On the wish board a party member claims as herself: resources names her by the account
    she signed in with, and that account's volunteer is credited."""
    member = await person(uow, "党员", party_member_kind="registered", account="cs-dangyuan")
    wish = closed_wish("cs-dangyuan")
    await points.credit_wish(uow, as_sent(wish), wish, "volunteers_wishes", at(0))
    assert uow.balance(Account.passbook(member, "changshan").id) == 10
    nobody = closed_wish("cs-nobody")  # an account no volunteer is linked to: nothing moves
    assert (
        await points.credit_wish(uow, as_sent(nobody), nobody, "volunteers_wishes", at(0)) is None
    )


async def test_a_wartime_escalation_calls_up_by_priority_and_closing_pays_once(uow) -> None:
    near = await person(uow, "同微网格", consent_to_contact=True)
    grid = await person(uow, "同网格", path=("cs-g1", "cs-g1-m9"))
    far = await person(uow, "别的网格", path=("cs-g2", "cs-g2-m1"))
    escalated = escalation()
    event = as_sent(escalated)
    m = await mobilising.mobilise_for_emergency(uow, event, escalated, "c", at(0))
    assert await mobilising.mobilise_for_emergency(uow, event, escalated, "c", at(0)) is None
    called = [e for e in uow.published if type(e).__name__ == "MobilisationCalled"]
    assert [c.volunteer_id for c in called] == [near, grid, far]
    assert called[0].contact == "13812345678" and called[1].contact != "13812345678"
    await mobilising.respond(uow, me(near), m.id, near, "answer", True, at(5))
    await mobilising.respond(uow, COORD, m.id, near, "check_in", clock=at(30))
    await mobilising.close(uow, COORD, m.id, at(150))
    # 2 h of emergency work: 12 an hour × 2 (emergency), under the day's cap of 120.
    assert uow.balance(Account.passbook(near, "changshan").id) == 48
    with pytest.raises(Conflict):
        await mobilising.close(uow, COORD, m.id, at(151))
    assert uow.balance(Account.of(AccountKind.ISSUING, "changshan").id) == -48


async def test_an_in_service_members_record_goes_back_to_the_branch(uow) -> None:
    member = await person(
        uow,
        "在职党员",
        party_member_kind="in_service",
        employer_unit_code="power",
        employer_branch_code="power-branch-1",
    )
    shift_id, leader, _ = await a_shift(uow)
    await commands.change_team(uow, COORD, uow.db["shifts"][shift_id].team_id, member, "join")
    await commands.sign_up(uow, me(member), shift_id, clock=at(10))
    await commands.attend(uow, me(leader), shift_id, member, "check_in", clock=at(60))
    await commands.attend(uow, me(leader), shift_id, member, "check_out", clock=at(120))
    period = Period.year(2026, UTC)
    _, rows = await points.service_record(uow, COORD, member, period, send=True, clock=at(200))
    assert [(r.kind, r.points) for r in rows] == [("elder_care", 10)]
    [sent] = [e for e in uow.published if type(e).__name__ == "ServiceRecordReported"]
    assert (sent.employer_branch_code, sent.services) == ("power-branch-1", 1)


async def test_the_incident_closing_pays_the_mobilised_once(uow) -> None:
    near = await person(uow, "同微网格")
    escalated = escalation()
    m = await mobilising.mobilise_for_emergency(uow, as_sent(escalated), escalated, "c", at(0))
    await mobilising.respond(uow, COORD, m.id, near, "check_in", clock=at(0))
    closed = IncidentClosed(
        incident_id=escalated.incident_id,
        community_code="changshan",
        rating="satisfied",
        merged_incident_ids=[],
        at=T0,
    )
    for event in (as_sent(closed),) * 2 + (as_sent(closed),):
        await mobilising.close_for_incident(uow, event, closed, "c", at(60))
    assert uow.balance(Account.passbook(near, "changshan").id) == 24  # 1 h × 12 × 2
    assert uow.types().count("MobilisationClosed") == 1


async def test_points_lock_their_accounts_in_one_order(uow) -> None:
    volunteer = await person(uow, "甲")
    await points.adjust(uow, COORD, volunteer, 50, "r", clock=at(0))
    item = await on_the_shelf(uow, "油", price=10, stock=5)
    r = await points.redeem(uow, COORD, item.id, volunteer, "柜台", at(1))
    await points.cancel_redemption(uow, COORD, r.id, "换货", at(2))
    # The redeem goes passbook → shop and its refund shop → passbook: both lock in one order.
    shop_locks = [o for o in uow.locked if "shop:changshan" in o]
    assert len(shop_locks) >= 2 and all(o == sorted(o) for o in uow.locked)
    assert len({tuple(o) for o in shop_locks}) == 1
