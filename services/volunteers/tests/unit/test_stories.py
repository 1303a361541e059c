"""Stories 11, 12 and 13 of SCENARIOS.md, played on the domain alone."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from lianxin.errors import Conflict
from volunteers.domain import events, records, shop
from volunteers.domain.accounts import wish_key
from volunteers.domain.activities import Activity, service_key
from volunteers.domain.leaderboards import leaderboard, star_level
from volunteers.domain.ledger import Account, AccountKind, Ledger
from volunteers.domain.mobilisation import Mobilisation, rank_candidates
from volunteers.domain.periods import Period
from volunteers.domain.rules import PointsRules, flags_for, points_for
from volunteers.domain.volunteers import Team, Volunteer


def community_books(code: str, volunteers: list[Volunteer]) -> Ledger:
    ledger = Ledger()
    for kind in AccountKind:
        if kind is not AccountKind.PASSBOOK:
            ledger.open(Account.of(kind, code))
    for v in volunteers:
        ledger.open(Account.passbook(v.id, code))
    return ledger


def test_story_11_snow_mobilised_by_grid_split_into_squads_hours_become_points() -> None:
    """Longze Shuyuan: heavy snow, an emergency; the grid's people clear the paths."""
    dawn = datetime(2026, 2, 20, 5, 30, tzinfo=UTC)
    at = datetime(2026, 2, 1, tzinfo=UTC)
    people = [
        Volunteer.register(
            "longze",
            "党员甲",
            "139",
            ["lz-g1", "lz-g1-m1"],
            at,
            party_member_kind="registered",
            skills=["snow_clearing"],
        ),
        Volunteer.register("longze", "物业乙", "139", ["lz-g1", "lz-g1-m1"], at),
        Volunteer.register("longze", "社工丙", "139", ["lz-g1", "lz-g1-m2"], at),
        Volunteer.register(
            "longze",
            "在职丁",
            "139",
            ["lz-g1", "lz-g1-m2"],
            at,
            party_member_kind="in_service",
            employer_unit_code="qd-water",
            employer_branch_code="qd-water-branch",
        ),
        Volunteer.register("longze", "志愿者戊", "139", ["lz-g2"], at),
        Volunteer.register("longze", "志愿者己", "139", ["lz-g2"], at),
    ]
    m = Mobilisation.start(uuid4(), "longze", ["lz-g1", "lz-g1-m1"], dawn)
    ranked = rank_candidates(people, "longze", m.node_path, ["snow_clearing"])
    assert ranked[0].volunteer_id == people[0].id  # same micro-grid, with the skill
    squads = m.form_squads(ranked, 3, dawn)
    assert len(squads) == 2 and all(s.leader_id for s in squads)
    assert squads[0].leader_id == people[0].id
    m.answer(people[4].id, False, dawn + timedelta(minutes=5))  # away for the holiday
    on_site = [p for p in people if p is not people[4]]
    for p in on_site:
        m.check_in(p.id, dawn + timedelta(minutes=30))
    hours = m.close(dawn + timedelta(hours=3, minutes=40))
    assert {h for _, h, _ in hours} == {Decimal("3.00")} and len(hours) == 5

    rules = PointsRules("longze")
    ledger = community_books("longze", people)
    flags = flags_for(dawn + timedelta(minutes=30), emergency=True)
    assert flags == {"emergency"}  # 06:00 is no longer night
    for volunteer_id, worked, key in hours:
        points = points_for(rules, worked, "snow_clearing", flags, already_earned_today=0)
        ledger.transfer(
            "earn",
            "issuing:longze",
            f"passbook:{volunteer_id}",
            points,
            actor="system",
            reason="snow clearing, mobilisation",
            source_key=key,
            now=dawn + timedelta(hours=4),
        )
    assert ledger.account(f"passbook:{people[3].id}").balance == 72  # 3 h × 12 × 2
    assert ledger.account(f"passbook:{people[4].id}").balance == 0
    # The incident's close delivered twice credits once.
    volunteer_id, _, key = hours[0]
    with pytest.raises(Conflict):
        ledger.transfer(
            "earn",
            "issuing:longze",
            f"passbook:{volunteer_id}",
            72,
            actor="system",
            reason="replayed",
            source_key=key,
            now=dawn,
        )


def test_story_12_the_fitter_redeems_and_still_ranks_first_by_lifetime_points() -> None:
    """Changshan Garden, 2019: the retired fitter who sharpened knives for ten years."""
    at = datetime(2019, 1, 1, tzinfo=UTC)
    fitter = Volunteer.register("changshan", "退休钳工", "139", ["cs-g3"], at, skills=["repair"])
    others = [Volunteer.register("changshan", f"v{i}", "139", ["cs-g1"], at) for i in range(3)]
    team = Team.form("changshan", "红马甲维修队", "red_vest", at)
    for p in (fitter, *others):
        team.join(p, at)
    ledger = community_books("changshan", [fitter, *others])
    earned = {fitter.id: 1_200, others[0].id: 900, others[1].id: 400, others[2].id: 0}
    for i, (who, points) in enumerate(earned.items()):
        if points:
            ledger.transfer(
                "earn",
                "issuing:changshan",
                f"passbook:{who}",
                points,
                actor="coordinator",
                reason="2019 services",
                source_key=f"y2019:{i}",
                now=datetime(2019, 6, 1, tzinfo=UTC),
            )
    rice = shop.Item.donate("changshan", "大米 10kg", "civil_affairs", "区民政局", 300, 5, at)
    oil = shop.Item.donate("changshan", "食用油", "member_unit", "长山供电所", 200, 5, at)
    when = datetime(2019, 12, 20, tzinfo=UTC)
    for item in (rice, rice, oil):
        shop.redeem(ledger, item, fitter.id, handed_over_by="超市管理员", actor="fitter", now=when)
    book = ledger.account(f"passbook:{fitter.id}")
    assert (book.balance, book.lifetime) == (400, 1_200)  # spendable now below the runner-up's
    assert ledger.account(f"passbook:{others[0].id}").balance == 900

    passbooks = [a for a in ledger.accounts.values() if a.kind is AccountKind.PASSBOOK]
    year = Period.year(2019, UTC)
    board = leaderboard("community:changshan", year, passbooks, ledger.transfers.values(), when)
    assert board.rows[0].volunteer_id == str(fitter.id) and board.rows[0].points == 1_200
    assert board.rows[0].stars == star_level(1_200) == 1
    team_board = leaderboard(
        f"team:{team.id}",
        year,
        passbooks,
        ledger.transfers.values(),
        when,
        members=team.members_during(year.start, year.end),
    )
    assert team_board.rows[0].volunteer_id == str(fitter.id)
    assert (rice.stock, oil.stock) == (3, 4)


def test_story_13_an_in_service_member_serves_at_home_and_her_record_goes_to_her_branch() -> None:
    """Taipingjie: one of the 96 in-service party members, double reporting."""
    at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    her = Volunteer.register(
        "taipingjie",
        "陈女士",
        "13912345678",
        ["tp-g3", "tp-g3-m7"],
        at,
        person_code="TPJ-P-0417",
        party_member_kind="in_service",
        employer_unit_code="cq-tax",
        employer_branch_code="cq-tax-branch-2",
    )
    ledger = community_books("taipingjie", [her])
    rules = PointsRules("taipingjie")
    services: list[records.ServiceDone] = []

    # Online: she claims a micro-wish (a wheelchair for a resident); fulfilled, credited once.
    wish, fulfilled = uuid4(), at + timedelta(days=3)
    for _ in range(2):  # the resources event delivered twice
        try:
            ledger.transfer(
                "earn",
                "issuing:taipingjie",
                f"passbook:{her.id}",
                20,
                actor="resources",
                reason="micro-wish fulfilled",
                source_key=wish_key(wish),
                now=fulfilled,
            )
            services.append(
                records.ServiceDone(
                    her.id, fulfilled, "micro_wish", "为独居老人送轮椅", "taipingjie", None, 20
                )
            )
        except Conflict:
            pass

    # Offline: an elder-care shift on a Saturday, checked in with the shift's code.
    activity = Activity.plan("taipingjie", "tp-g3-m7", "elder_care", "助老送餐", at)
    start = at + timedelta(days=5)
    shift = activity.schedule(start, start + timedelta(hours=2), "朝华新城 3 栋", 4, at)
    shift.sign_up(her.id, at)
    shift.issue_code(lambda: "731024")
    shift.check_in_with_code(her.id, "731024", start - timedelta(minutes=5))
    worked = shift.check_out_with_code(her.id, "731024", start + timedelta(hours=2, minutes=3))
    points = points_for(rules, worked, "elder_care")
    ledger.transfer(
        "earn",
        "issuing:taipingjie",
        f"passbook:{her.id}",
        points,
        actor="system",
        reason="elder care shift",
        source_key=service_key(shift.id, her.id),
        now=start + timedelta(hours=2),
    )
    services.append(
        records.ServiceDone(her.id, start, "elder_care", "助老送餐", "taipingjie", worked, points)
    )

    period = Period.quarter(2026, 1, UTC)
    rows, reported = records.report(her, period, services, at + timedelta(days=30))
    assert reported == events.ServiceRecordReported(
        her.id,
        "TPJ-P-0417",
        "cq-tax",
        "cq-tax-branch-2",
        "2026-Q1",
        2,
        Decimal("2.00"),
        at + timedelta(days=30),
    )
    lines = records.csv_rows(her, period, rows)
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    assert out.getvalue().splitlines()[1:] == [
        "陈女士,TPJ-P-0417,cq-tax,cq-tax-branch-2,taipingjie,2026-03-05,微心愿,为独居老人送轮椅,,20",
        "陈女士,TPJ-P-0417,cq-tax,cq-tax-branch-2,taipingjie,2026-03-07,助老服务,助老送餐,2.00,20",
        "陈女士,TPJ-P-0417,cq-tax,cq-tax-branch-2,taipingjie,2026-Q1,合计 2 次,,2.00,40",
    ]
    assert ledger.account(f"passbook:{her.id}").lifetime == 40
