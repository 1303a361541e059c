"""Leaderboards and stars from lifetime points, by community, team and period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from volunteers.domain.leaderboards import earned_in, leaderboard, star_level
from volunteers.domain.ledger import Account, AccountKind, Ledger
from volunteers.domain.periods import Period
from volunteers.domain.volunteers import Team, Volunteer

Y2019 = Period.year(2019, UTC)
JAN = datetime(2019, 1, 10, tzinfo=UTC)


def test_star_thresholds() -> None:
    assert [star_level(p) for p in (0, 999, 1_000, 2_999, 3_000, 6_000, 10_000, 15_000, 10**6)] == [
        0,
        0,
        1,
        1,
        2,
        3,
        4,
        5,
        5,
    ]


def test_ties_share_a_rank_and_nobody_without_points_is_listed() -> None:
    ledger = Ledger()
    ledger.open(Account.of(AccountKind.ISSUING, "cs"))
    ids = sorted((uuid4() for _ in range(4)), key=str)
    for i, (v, points) in enumerate(zip(ids, (50, 30, 30, 0), strict=True)):
        ledger.open(Account.passbook(v, "cs"))
        if points:
            ledger.transfer(
                "earn",
                "issuing:cs",
                f"passbook:{v}",
                points,
                actor="c",
                reason="r",
                source_key=f"k{i}",
                now=JAN,
            )
    passbooks = [a for a in ledger.accounts.values() if a.kind is AccountKind.PASSBOOK]
    board = leaderboard("community:cs", Y2019, passbooks, ledger.transfers.values(), JAN)
    assert [(r.rank, r.points) for r in board.rows] == [(1, 50), (2, 30), (2, 30)]


def test_a_reversal_counts_against_the_period_of_what_it_undoes() -> None:
    ledger = Ledger()
    ledger.open(Account.of(AccountKind.ISSUING, "cs"))
    v = uuid4()
    ledger.open(Account.passbook(v, "cs"))
    t = ledger.transfer(
        "earn",
        "issuing:cs",
        f"passbook:{v}",
        40,
        actor="c",
        reason="r",
        source_key="k",
        now=datetime(2019, 12, 30, tzinfo=UTC),
    )
    ledger.reverse(t.id, actor="c", reason="wrong", now=datetime(2020, 1, 5, tzinfo=UTC))
    transfers = ledger.transfers.values()
    assert earned_in(Y2019, transfers) == {f"passbook:{v}": 0}
    assert earned_in(Period.year(2020, UTC), transfers) == {}


def test_a_team_board_counts_those_who_were_members_during_the_period() -> None:
    now = datetime(2019, 1, 1, tzinfo=UTC)
    team = Team.form("cs", "巡逻队", "patrol", now)
    ledger = Ledger()
    ledger.open(Account.of(AccountKind.ISSUING, "cs"))
    people = [Volunteer.register("cs", f"v{i}", "139", ["g1"], now) for i in range(3)]
    for i, p in enumerate(people):
        ledger.open(Account.passbook(p.id, "cs"))
        ledger.transfer(
            "earn",
            "issuing:cs",
            f"passbook:{p.id}",
            10 + i,
            actor="c",
            reason="r",
            source_key=f"k{i}",
            now=JAN,
        )
    team.join(people[0], now)
    team.join(people[1], now)
    team.leave(people[1].id, now + timedelta(days=30))  # left in 2019: still on 2019's board
    members = team.members_during(Y2019.start, Y2019.end)
    passbooks = [a for a in ledger.accounts.values() if a.kind is AccountKind.PASSBOOK]
    board = leaderboard(
        f"team:{team.id}", Y2019, passbooks, ledger.transfers.values(), JAN, members=members
    )
    assert [r.volunteer_id for r in board.rows] == [str(people[1].id), str(people[0].id)]
