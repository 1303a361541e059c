"""The service layer's commands on a fake unit of work: no database, no broker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lianxin.contracts import org
from lianxin.errors import Conflict, NotFound, RuleBroken
from organisation.domain.model import AGGREGATES
from organisation.service_layer import aggregates as kinds
from organisation.service_layer import committees, grid, handlers, org_events
from organisation.service_layer.imports import InvalidRows, Line

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
UNIT = {"name": "太平街派出所", "kind": "party_government_organ", "relation": "resident"}


@pytest.fixture
async def tpj(uow):
    """Fuling district, Dunren street, Taipingjie community; their events already read."""
    district = {"code": "fuling", "name": "涪陵区", "city": "重庆"}
    await handlers.register(uow, kinds.DISTRICTS, district)
    street = {"code": "dunren", "name": "敦仁街道", "district_code": "fuling"}
    await handlers.register(uow, kinds.STREETS, street)
    community = {"code": "taipingjie", "name": "太平街社区", "street_code": "dunren"}
    await handlers.register(uow, kinds.COMMUNITIES, community)
    uow.events.clear()
    return uow


def lines(*rows: dict) -> list[Line]:
    """Import lines as the entrypoint hands them over: already valid against the row model."""
    return [Line(n, row, row) for n, row in enumerate(rows, start=2)]


async def test_registering_emits_one_registered_event_in_its_community(uow) -> None:
    district = {"code": "fuling", "name": "涪陵区", "city": "重庆"}
    await handlers.register(uow, kinds.DISTRICTS, district)
    await handlers.register(
        uow, kinds.STREETS, {"code": "dunren", "name": "敦仁街道", "district_code": "fuling"}
    )
    community = await handlers.register(
        uow, kinds.COMMUNITIES, {"code": "tpj", "name": "太平街", "street_code": "dunren"}
    )
    assert community.district_code == "fuling"
    assert uow.types() == ["district.registered", "street.registered", "community.registered"]
    data, tenant = uow.events[-1]
    assert isinstance(data, org.CommunityRegistered) and tenant == "tpj"
    assert (await uow.org.communities.get("tpj")).version == 1


async def test_registering_refuses_a_taken_code_and_names_a_missing_reference(tpj) -> None:
    with pytest.raises(Conflict, match="district fuling already exists"):
        await handlers.register(tpj, kinds.DISTRICTS, {"code": "fuling", "name": "x", "city": "y"})
    with pytest.raises(RuleBroken) as broken:
        await handlers.register(
            tpj, kinds.COMMUNITIES, {"code": "c2", "name": "x", "street_code": "nowhere"}
        )
    assert broken.value.field == "street_code"
    assert tpj.events == [] and not await tpj.org.communities.exists(["c2"])


async def test_updating_changes_the_version_once_and_says_what_changed(tpj) -> None:
    community = await handlers.update(
        tpj, kinds.COMMUNITIES, "taipingjie", {"name": "太平街", "area_km2": 0.36}
    )
    assert community.version == 2
    [(data, tenant)] = tpj.events
    assert isinstance(data, org.CommunityUpdated) and data.changed == ["name", "area_km2"]
    assert tenant == "taipingjie"
    again = await handlers.update(tpj, kinds.COMMUNITIES, "taipingjie", {"name": "太平街"})
    assert again.version == 2 and len(tpj.events) == 1  # nothing changed: nothing written


async def test_updating_refuses_what_is_missing_retired_or_breaks_a_rule(tpj) -> None:
    with pytest.raises(NotFound):
        await handlers.update(tpj, kinds.DISTRICTS, "nowhere", {"name": "x"})
    with pytest.raises(RuleBroken) as broken:
        await handlers.update(tpj, kinds.DISTRICTS, "fuling", {"name": " "})
    assert broken.value.field == "name"
    await handlers.register(tpj, kinds.DISTRICTS, {"code": "d2", "name": "x", "city": "y"})
    await handlers.retire(tpj, kinds.DISTRICTS, "d2", NOW)
    with pytest.raises(Conflict, match="retired"):
        await handlers.update(tpj, kinds.DISTRICTS, "d2", {"name": "z"})


async def test_retiring_waits_until_nothing_active_refers_to_it(tpj) -> None:
    with pytest.raises(Conflict, match="street dunren is still in use: community taipingjie"):
        await handlers.retire(tpj, kinds.STREETS, "dunren", NOW)
    await handlers.retire(tpj, kinds.COMMUNITIES, "taipingjie", NOW)
    street = await handlers.retire(tpj, kinds.STREETS, "dunren", NOW)
    assert street.retired_at == NOW
    assert tpj.types() == ["community.retired", "street.retired"]


async def test_a_member_unit_on_the_big_committee_is_not_retired(tpj) -> None:
    unit = {"code": "police", "community_code": "taipingjie", **UNIT}
    await handlers.register(tpj, kinds.MEMBER_UNITS, unit)
    members = [{"member_unit_code": "police", "name": "王建国"}]
    await committees.register_big_committee(tpj, "taipingjie", None, None, members)
    with pytest.raises(Conflict, match="sits on or chairs the big committee"):
        await handlers.retire(tpj, kinds.MEMBER_UNITS, "police", NOW)
    await handlers.update(tpj, kinds.BIG_COMMITTEES, "taipingjie", {"members": []})
    assert (await handlers.retire(tpj, kinds.MEMBER_UNITS, "police", NOW)).retired_at == NOW
    assert tpj.types()[-2:] == ["big_committee.updated", "member_unit.retired"]


async def test_a_post_has_one_holder_and_a_grid_node_with_a_post_is_not_retired(tpj) -> None:
    await grid.register_grid_node(tpj, "g1", "第一网格", "grid", "taipingjie", None)
    await grid.register_grid_node(tpj, "m1", "第1微网格", "micro_grid", "taipingjie", "g1")
    leader = {"role": "micro_grid_leader", "node_code": "m1"}
    person = {"code": "p1", "community_code": "taipingjie", "name": "李", "roles": [leader]}
    await handlers.register(tpj, kinds.PEOPLE, person)
    with pytest.raises(Conflict, match="micro_grid_leader of m1 is held by p1"):
        await handlers.register(tpj, kinds.PEOPLE, {**person, "code": "p2"})
    with pytest.raises(Conflict, match="still in use: micro_grid_leader p1"):
        await grid.retire_grid_node(tpj, "m1", NOW)
    await handlers.retire(tpj, kinds.PEOPLE, "p1", NOW)  # leaving, the person leaves the post
    assert (await grid.retire_grid_node(tpj, "m1", NOW)).retired_at == NOW


async def test_an_in_service_member_keeps_the_employer_while_staying_in_service(tpj) -> None:
    await handlers.register(
        tpj, kinds.MEMBER_UNITS, {"code": "police", "community_code": "taipingjie", **UNIT}
    )
    person = {
        "code": "p1",
        "community_code": "taipingjie",
        "name": "李",
        "party_member_kind": "in_service",
        "employer_unit_code": "police",
    }
    await handlers.register(tpj, kinds.PEOPLE, person)
    kept = await handlers.update(tpj, kinds.PEOPLE, "p1", {"double_report": "reported"})
    assert (kept.employer_unit_code, kept.double_report) == ("police", "reported")
    left = await handlers.update(tpj, kinds.PEOPLE, "p1", {"party_member_kind": "registered"})
    assert left.employer_unit_code is None and left.double_report is None


async def test_a_department_serves_only_areas_that_exist(uow) -> None:
    department = {"code": "power", "name": "供电公司", "categories": ["power_supply"]}
    with pytest.raises(RuleBroken, match="no street nowhere"):
        areas = [{"level": "street", "code": "nowhere"}]
        await handlers.register(uow, kinds.DEPARTMENTS, {**department, "areas": areas})
    made = await handlers.register(uow, kinds.DEPARTMENTS, department)
    assert [c.kind for c in made.channels] == ["nats"] and uow.types() == ["department.registered"]


async def test_an_import_is_all_or_nothing_with_every_error_by_line(tpj) -> None:
    await grid.register_grid_node(tpj, "g1", "第一网格", "grid", "taipingjie", None)
    tpj.events.clear()
    rows = lines(
        {"code": "p1", "name": "李", "node_code": "g1"},
        {"code": "p2", "name": "王", "node_code": "g9"},
        {"code": "p1", "name": "张"},
        {"code": "p3", "name": "赵", "employer_unit_code": "nobody"},
    )
    with pytest.raises(InvalidRows) as invalid:
        await handlers.import_rows(tpj, kinds.PEOPLE, "taipingjie", rows)
    assert invalid.value.errors == [
        {"line": 3, "field": "node_code", "detail": "no grid node g9 in this community"},
        {"line": 4, "field": "code", "detail": "duplicate code p1: already line 2"},
        {"line": 5, "field": "employer_unit_code", "detail": "no member unit nobody"},
    ]
    assert tpj.events == [] and await tpj.org.people.list() == []
    added = await handlers.import_rows(tpj, kinds.PEOPLE, "taipingjie", rows[:1])
    assert [p.code for p in added] == ["p1"] and tpj.types() == ["person.registered"]


async def test_an_import_names_the_domains_refusal_on_its_line(tpj) -> None:
    rows = lines({"code": "u1", **UNIT}, {"code": "u2", **UNIT, "relation": "co_building"})
    with pytest.raises(InvalidRows) as invalid:
        await handlers.import_rows(tpj, kinds.MEMBER_UNITS, "taipingjie", rows)
    [error] = invalid.value.errors
    assert (error["line"], error["field"]) == (3, "agreement")
    assert await tpj.org.member_units.list() == []


async def test_moving_a_node_updates_its_whole_subtree(tpj) -> None:
    await grid.register_grid_node(tpj, "g1", "第一网格", "grid", "taipingjie", None)
    await grid.register_grid_node(tpj, "g2", "第二网格", "grid", "taipingjie", None)
    await grid.register_grid_node(tpj, "m1", "第1微网格", "micro_grid", "taipingjie", "g1")
    await grid.register_grid_node(tpj, "b1", "1栋", "building", "taipingjie", "m1")
    tpj.events.clear()
    await grid.move_grid_node(tpj, "m1", "g2")
    assert tpj.types() == ["grid_node.updated", "grid_node.updated"]
    assert [data.path for data, _ in tpj.events] == [["g2", "m1"], ["g2", "m1", "b1"]]
    with pytest.raises(RuleBroken, match="does not exist"):
        await grid.move_grid_node(tpj, "m1", "g9")


async def test_each_command_emits_its_aggregates_event(tpj) -> None:
    await grid.register_grid_node(tpj, "g1", "第一网格", "grid", "taipingjie", None)
    alliance = {"code": "nms", "name": "南门山联盟", "community_codes": ["taipingjie"]}
    alliance |= {"branch_unit_codes": [], "mechanisms": ["joint_activities"]}
    branch = {
        "code": "b1",
        "name": "第一网格党支部",
        "kind": "grid_party_branch",
        "community_code": "taipingjie",
        "node_codes": ["g1"],
    }
    tpj.events.clear()
    commits = tpj.commits
    await handlers.register(tpj, kinds.ALLIANCES, alliance)
    await handlers.register(tpj, kinds.PARTY_ORGANISATIONS, branch)
    await handlers.update(tpj, kinds.ALLIANCES, "nms", {"name": "南门山党建联盟"})
    await handlers.update(tpj, kinds.PARTY_ORGANISATIONS, "b1", {"name": "一支部"})
    await handlers.retire(tpj, kinds.PARTY_ORGANISATIONS, "b1", NOW)
    await handlers.retire(tpj, kinds.ALLIANCES, "nms", NOW)
    assert tpj.types() == [
        "alliance.registered",
        "party_organisation.registered",
        "alliance.updated",
        "party_organisation.updated",
        "party_organisation.retired",
        "alliance.retired",
    ]
    # An alliance spans communities: its events name none.
    assert [tenant for _, tenant in tpj.events] == [None, "taipingjie"] * 2 + ["taipingjie", None]
    assert tpj.commits - commits == 6  # one transaction a command


def test_a_missing_or_wrong_contract_fails_when_declared() -> None:
    contracts = dict(org_events.CONTRACTS)
    del contracts["street"]
    with pytest.raises(TypeError, match="no ORG contracts declared for street"):
        org_events.check(AGGREGATES, contracts)
    contracts["street"] = (org.StreetRegistered, org.StreetRetired, org.StreetUpdated)
    with pytest.raises(TypeError, match=r"StreetRetired is cn\.lianxin\.org\.street\.retired\.v1"):
        org_events.check(AGGREGATES, contracts)
    contracts["street"] = (org.DistrictRegistered, org.StreetUpdated, org.StreetRetired)
    with pytest.raises(TypeError, match="DistrictRegistered is"):
        org_events.check(AGGREGATES, contracts)
    contracts["street"] = org_events.CONTRACTS["street"]
    contracts["district"] = (org.StreetRegistered, org.DistrictUpdated, org.DistrictRetired)
    with pytest.raises(TypeError, match="StreetRegistered is"):
        org_events.check(AGGREGATES, contracts)
