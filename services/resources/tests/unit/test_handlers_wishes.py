"""Micro-wish handlers on the fake unit of work: story 9 (Taipingjie's wheelchair), the one claim
of two, and who may see and do what."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from lianxin.auth import Role
from lianxin.errors import Conflict, Forbidden, NotFound
from resources.service_layer import wishes

from .builders import T0, at
from .conftest import (
    COORDINATOR,
    DEPARTMENT,
    GRID_LEADER,
    LIAISON,
    OTHER_COORDINATOR,
    OTHER_LIAISON,
    VOLUNTEER,
    FakeUnitOfWork,
    person,
)

WHEELCHAIR = {
    "community_code": "taipingjie",
    "grid_node_code": "tpj-g01",
    "title": "一辆轮椅",
    "resident_name": "李大爷",
    "resident_contact": "13900000000",
}


clock = at(0)


async def published_wish(uow: FakeUnitOfWork):
    wish = await wishes.record_wish(uow, GRID_LEADER, dict(WHEELCHAIR), clock)
    await wishes.change_wish(uow, GRID_LEADER, wish.id, "publish", {}, clock)
    return wish


async def test_story_9_a_wheelchair_is_wished_dispatched_claimed_delivered_and_closed(
    uow: FakeUnitOfWork,
) -> None:
    wish = await published_wish(uow)
    [on_board] = await wishes.board(uow, LIAISON, "taipingjie")
    assert on_board.title == "一辆轮椅" and "李大爷" not in repr(on_board)
    await wishes.change_wish(uow, LIAISON, wish.id, "claim", {}, clock)
    await wishes.change_wish(uow, LIAISON, wish.id, "deliver", {"note": "送到家"}, clock)
    await wishes.change_wish(uow, GRID_LEADER, wish.id, "close", {}, clock)
    assert uow.types() == [
        "WishRecorded",
        "WishPublished",
        "WishClaimed",
        "WishDelivered",
        "WishClosed",
    ]
    closed = uow.published[-1]
    assert (closed.claimant_kind, closed.claimant_id) == ("member_unit", "tpj-u01")
    assert not any("李大爷" in e.model_dump_json() for e in uow.published)
    rate = await wishes.rate(
        uow, COORDINATOR, "taipingjie", T0 - timedelta(days=1), T0 + timedelta(days=1)
    )
    assert (rate.collected, rate.fulfilled, str(rate.percent)) == (1, 1, "100.0")


async def test_a_second_claim_hears_who_has_the_wish_and_changes_nothing(
    uow: FakeUnitOfWork,
) -> None:
    wish = await published_wish(uow)
    await wishes.change_wish(uow, VOLUNTEER, wish.id, "claim", {}, clock)
    with pytest.raises(Conflict, match="party_member"):
        await wishes.change_wish(uow, LIAISON, wish.id, "claim", {}, clock)
    assert uow.types().count("WishClaimed") == 1
    assert uow.published[-1].claimant_id == VOLUNTEER.subject


async def test_only_the_claimant_delivers(uow: FakeUnitOfWork) -> None:
    wish = await published_wish(uow)
    await wishes.change_wish(uow, LIAISON, wish.id, "claim", {}, clock)
    with pytest.raises(Conflict):
        await wishes.change_wish(uow, OTHER_LIAISON, wish.id, "deliver", {"note": "x"}, clock)


async def test_scope_and_roles_refuse(uow: FakeUnitOfWork) -> None:
    wish = await published_wish(uow)
    with pytest.raises(NotFound):  # another community's coordinator: the wish does not exist
        await wishes.change_wish(
            uow,
            OTHER_COORDINATOR,
            wish.id,
            "claim",
            {"claimant_kind": "member_unit", "claimant_id": "csh-u01"},
            clock,
        )
    with pytest.raises(NotFound):
        await wishes.change_wish(uow, DEPARTMENT, wish.id, "publish", {}, clock)
    with pytest.raises(Forbidden):  # a liaison claims for its own unit only
        await wishes.change_wish(uow, LIAISON, wish.id, "claim", {"claimant_id": "tpj-u09"}, clock)
    with pytest.raises(Forbidden):  # closing is the grid's step
        await wishes.change_wish(uow, LIAISON, wish.id, "close", {}, clock)
    with pytest.raises(NotFound):
        await wishes.change_wish(uow, COORDINATOR, uuid4(), "publish", {}, clock)
    with pytest.raises(Forbidden):  # the resident's name is the grid's, not the units'
        await wishes.get_wish(uow, LIAISON, wish.id)
    assert uow.types() == ["WishRecorded", "WishPublished"]


async def test_a_refused_step_leaves_the_wish_as_it_was(uow: FakeUnitOfWork) -> None:
    wish = await published_wish(uow)
    with pytest.raises(Conflict):
        await wishes.change_wish(uow, GRID_LEADER, wish.id, "close", {}, clock)
    stored = await wishes.get_wish(uow, GRID_LEADER, wish.id)
    assert stored.status.value == "published" and stored.resident_name == "李大爷"


async def test_only_the_wishs_own_grid_and_the_coordinators_read_the_resident(
    uow: FakeUnitOfWork,
) -> None:
    wish = await published_wish(uow)
    other_grid = person(Role.GRID_LEADER, "taipingjie", grid_nodes=frozenset({"tpj-g02"}))
    assert wishes.reads_resident(GRID_LEADER, wish)
    assert wishes.reads_resident(COORDINATOR, wish)
    for someone in (other_grid, LIAISON, VOLUNTEER, OTHER_COORDINATOR, DEPARTMENT):
        assert not wishes.reads_resident(someone, wish), someone
    # Another grid of the community still reads the wish itself, without the resident.
    assert (await wishes.get_wish(uow, other_grid, wish.id)).id == wish.id


async def test_the_grid_that_recorded_a_wish_in_one_of_its_micro_grids_reads_the_resident(
    uow: FakeUnitOfWork,
) -> None:
    in_micro_grid = {**WHEELCHAIR, "grid_node_code": "tpj-g01-m01"}
    wish = await wishes.record_wish(uow, GRID_LEADER, in_micro_grid, clock)
    assert wish.recorded_in == ("tpj-g01",)
    assert wishes.reads_resident(GRID_LEADER, wish)
    other_grid = person(Role.GRID_LEADER, "taipingjie", grid_nodes=frozenset({"tpj-g02"}))
    assert not wishes.reads_resident(other_grid, wish)
    # Recorded by a coordinator: the leader of the wish's own node reads it.
    by_coordinator = await wishes.record_wish(uow, COORDINATOR, dict(WHEELCHAIR), clock)
    assert by_coordinator.recorded_in == ()
    assert wishes.reads_resident(GRID_LEADER, by_coordinator)
    assert not wishes.reads_resident(other_grid, by_coordinator)
