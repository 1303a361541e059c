"""Resources' repositories and handlers on a real, migrated PostgreSQL: every aggregate comes back
as it went in, and two claims racing for one wish or one project slot give one winner and one
Conflict, never two claimants."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lianxin.auth import Principal, Role, Scope
from lianxin.errors import Conflict
from resources.adapters.orm import outbox, project_claims
from resources.adapters.orm import wishes as wish_rows
from resources.domain.needs import Need
from resources.service_layer import meetings, needs, offers, projects, wishes

from .conftest import UOW

TPJ = frozenset({"taipingjie"})
COORDINATOR = Principal("c", Role.COMMUNITY_COORDINATOR, Scope(communities=TPJ))
GRID = Principal("g", Role.GRID_LEADER, Scope(communities=TPJ, grid_nodes=frozenset({"tpj-g01"})))


def liaison(unit: str) -> Principal:
    return Principal(unit, Role.MEMBER_UNIT_LIAISON, Scope(communities=TPJ, member_unit=unit))


NOW = datetime.now(UTC)


async def test_every_aggregate_round_trips(uow: UOW) -> None:
    need = await needs.record_need(
        uow(),
        GRID,
        {
            "community_code": "taipingjie",
            "grid_node_code": "tpj-g01",
            "category": "elderly_care",
            "title": "老人休息处",
            "affected": "elderly residents",
            "affected_count": 40,
            "urgency": "high",
            "skills": ["carpentry"],
        },
    )
    offer = await offers.file_offer(
        uow(),
        liaison("u1"),
        {
            "community_code": "taipingjie",
            "kind": "people",
            "title": "木工",
            "quantity": 5,
            "unit": "people",
            "available_from": NOW - timedelta(days=1),
            "categories": ["elderly_care"],
            "skills": ["carpentry"],
        },
    )
    meeting = await meetings.schedule_meeting(
        uow(),
        COORDINATOR,
        {
            "community_code": "taipingjie",
            "chair_unit_code": "u1",
            "scheduled_at": NOW + timedelta(days=1),
            "invited_department_codes": ["housing"],
        },
    )
    drafted = await meetings.build_meeting_agenda(uow(), COORDINATOR, meeting.id)
    [on_agenda] = drafted.agenda.needs
    assert on_agenda.suggestions[0].offer_id == offer.id
    project = await projects.create_project(
        uow(),
        COORDINATOR,
        {"community_code": "taipingjie", "title": "连心亭", "due_at": NOW + timedelta(days=30)},
    )
    await projects.change_project(uow(), liaison("u1"), project.id, "claim", {})
    await projects.change_project(
        uow(),
        COORDINATOR,
        project.id,
        "assign",
        {"holder_code": "u1", "task": "建亭", "due_at": NOW + timedelta(days=9)},
    )
    wish = await wishes.record_wish(
        uow(),
        GRID,
        {
            "community_code": "taipingjie",
            "grid_node_code": "tpj-g01",
            "title": "一辆轮椅",
            "resident_name": "李大爷",
            "resident_contact": "13900000000",
        },
    )
    async with uow() as read:
        assert await read.needs.get(need.id) == need
        assert await read.offers.get(offer.id) == offer
        assert await read.meetings.get(meeting.id) == drafted
        stored = await read.projects.get(project.id)
        assert stored is not None and stored.claimant_codes == ("u1",)
        assert stored.responsibilities[0].task == "建亭"
        assert await read.wishes.get(wish.id) == wish
        state = (await read.session.execute(select(wish_rows.c.state))).scalar_one()
    assert "李大爷" not in str(state)  # the resident stays in its own columns


async def test_two_claims_racing_for_one_wish_give_one_winner(uow: UOW) -> None:
    wish = await wishes.record_wish(
        uow(),
        GRID,
        {
            "community_code": "taipingjie",
            "grid_node_code": "tpj-g01",
            "title": "一台收音机",
            "resident_name": "王奶奶",
            "resident_contact": "13800000000",
        },
    )
    await wishes.change_wish(uow(), GRID, wish.id, "publish", {})
    results = await asyncio.gather(
        *(wishes.change_wish(uow(), liaison(u), wish.id, "claim", {}) for u in ("u1", "u2")),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], Conflict)
    assert "already claimed" in str(lost[0])
    async with uow() as read:
        stored = await read.wishes.get(wish.id)
        claimed = (
            await read.session.execute(
                select(outbox.c.event).where(outbox.c.subject == "resources.wish.claimed")
            )
        ).all()
    assert stored is not None and stored.claimant is not None
    assert stored.claimant.id == won[0].claimant.id and len(claimed) == 1


async def test_two_units_racing_for_the_last_slot_give_one_winner(uow: UOW) -> None:
    project = await projects.create_project(
        uow(),
        COORDINATOR,
        {"community_code": "taipingjie", "title": "路灯", "due_at": NOW + timedelta(days=30)},
    )
    results = await asyncio.gather(
        *(
            projects.change_project(uow(), liaison(u), project.id, "claim", {})
            for u in ("u1", "u2")
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Project"]
    async with uow() as read:
        rows = (await read.session.execute(select(project_claims))).all()
    assert len(rows) == 1


async def test_a_list_is_never_cut_short(uow: UOW) -> None:
    """More needs than the 1,000 rows a repository once stopped at without a word."""
    async with uow() as u:
        for n in range(1001):
            u.needs.add(
                Need.record(
                    community_code="taipingjie",
                    grid_node_code="tpj-g01",
                    category="elderly_care",
                    title=f"需求 {n}",
                    affected="residents",
                    affected_count=1,
                    urgency="normal",
                    source="resident",
                    recorded_by="g",
                    now=NOW,
                )
            )
        await u.needs.save_all()
        await u.commit()
    assert len(await needs.list_needs(uow(), COORDINATOR, "taipingjie")) == 1001
