"""The rest of the organisation's rules, without I/O: places, committees, departments, people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import get_args

import pytest

from lianxin.contracts import org
from lianxin.errors import Conflict, RuleBroken
from organisation.domain import events
from organisation.domain.model import (
    AREA_LEVELS,
    CHANNEL_KINDS,
    COVERS,
    DOUBLE_REPORT,
    GRID_TYPES,
    MECHANISMS,
    MEMBER_UNIT_KINDS,
    PARTY_MEMBER_KINDS,
    RELATIONS,
    ROLE_NODE_KINDS,
    Alliance,
    BigCommittee,
    Community,
    Department,
    District,
    GridNode,
    MemberUnit,
    PartyOrganisation,
    Person,
    Street,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
FULING = District("fuling", "涪陵区", "重庆市")
DUNREN = Street("dunren", "敦仁街道", "fuling")
TPJ = Community("taipingjie", "太平街社区", "dunren", "fuling")
GRID = GridNode("g1", "第一网格", "grid", "taipingjie", None, ["g1"], grid_type="residential")
MICRO = GridNode("m1", "第1微网格", "micro_grid", "taipingjie", "g1", ["g1", "m1"])
BUILDING = GridNode("b1", "1栋", "building", "taipingjie", "m1", ["g1", "m1", "b1"])
UNIT = MemberUnit("u1", "敦仁派出所", "party_government_organ", "taipingjie", "resident")


def test_the_domain_speaks_the_contracts_words() -> None:
    assert set(MECHANISMS) == set(get_args(org.Mechanism))
    assert set(MEMBER_UNIT_KINDS) == set(get_args(org.MemberUnitKind))
    assert set(RELATIONS) == set(get_args(org.Relation))
    assert set(AREA_LEVELS) == set(get_args(org.AreaLevel))
    assert set(CHANNEL_KINDS) == set(get_args(org.ChannelKind))
    assert set(GRID_TYPES) == set(get_args(org.GridType))
    assert set(COVERS) == set(get_args(org.PartyOrganisationKind))
    assert set(PARTY_MEMBER_KINDS) == set(get_args(org.PartyMemberKind))
    assert set(DOUBLE_REPORT) == set(get_args(org.DoubleReport))
    assert set(ROLE_NODE_KINDS) == set(get_args(org.GridRole))


def test_a_community_carries_its_streets_district_and_refuses_a_retired_street() -> None:
    community = Community.register("taipingjie", "太平街社区", DUNREN, 0.36)
    assert (community.street_code, community.district_code) == ("dunren", "fuling")
    old = Street("old", "旧街道", "fuling", retired_at=NOW)
    with pytest.raises(RuleBroken) as broken:
        Community.register("x", "x", old)
    assert broken.value.field == "street_code"


def test_an_alliance_joins_communities_and_non_public_branches_through_mechanisms() -> None:
    branch = MemberUnit("b1", "非公党支部", "non_public_party_branch", "taipingjie", "resident")
    alliance = Alliance.register("nms", "南门山联盟", [TPJ], [branch], list(MECHANISMS))
    assert alliance.mechanisms == list(MECHANISMS)
    with pytest.raises(RuleBroken, match="not a non-public party branch"):
        Alliance.register("a", "a", [TPJ], [UNIT], ["joint_activities"])
    with pytest.raises(RuleBroken) as broken:
        Alliance.register("a", "a", [TPJ], [], ["joint_gossip"])
    assert broken.value.field == "mechanisms"
    with pytest.raises(RuleBroken) as broken:
        Alliance.register("a", "a", [TPJ, TPJ], [], ["joint_activities"])
    assert broken.value.field == "community_codes"


def test_a_co_building_unit_has_an_agreement_that_ends_after_it_starts() -> None:
    with pytest.raises(RuleBroken) as broken:
        MemberUnit.register("u", "共建单位", "enterprise", TPJ, "co_building")
    assert broken.value.field == "agreement"
    with pytest.raises(RuleBroken) as broken:
        MemberUnit.register(
            "u",
            "共建单位",
            "enterprise",
            TPJ,
            "co_building",
            {"signed_on": date(2025, 1, 1), "expires_on": date(2024, 1, 1)},
        )
    assert broken.value.field == "agreement.expires_on"
    unit = MemberUnit.register(
        "u", "共建单位", "enterprise", TPJ, "co_building", {"signed_on": date(2025, 1, 1)}
    )
    with pytest.raises(RuleBroken):
        unit.update({"agreement": None})
    assert unit.update({"relation": "resident", "agreement": None}) == ["relation", "agreement"]


def test_a_liaisons_phone_stays_out_of_events() -> None:
    liaison = {"name": "王建国", "phone": "13800000000", "post": "党支部书记"}
    unit = MemberUnit.register(
        "u", "敦仁派出所", "party_government_organ", TPJ, "resident", None, [liaison]
    )
    assert unit.liaisons[0].phone == "13800000000"
    [registered] = unit.events
    assert registered.state["liaisons"] == [{"name": "王建国", "post": "党支部书记"}]
    assert "phone" in type(unit.liaisons[0]).PERSONAL_FIELDS


def test_rotating_chair_terms_never_overlap() -> None:
    committee = BigCommittee.register(
        TPJ, {"u1": UNIT}, members=[{"member_unit_code": "u1", "name": "周建国"}]
    )
    committee.add_chair_term(UNIT, date(2026, 1, 1), date(2026, 3, 31))
    committee.add_chair_term(UNIT, date(2026, 7, 1), date(2026, 9, 30))
    committee.add_chair_term(UNIT, date(2026, 4, 1), date(2026, 6, 30))
    assert [t.starts_on.month for t in committee.chair_terms] == [1, 4, 7]
    with pytest.raises(RuleBroken, match="overlaps") as broken:
        committee.add_chair_term(UNIT, date(2026, 3, 31), date(2026, 4, 15))
    assert broken.value.field == "starts_on"
    with pytest.raises(RuleBroken) as broken:
        committee.add_chair_term(UNIT, date(2026, 12, 31), date(2026, 12, 1))
    assert broken.value.field == "ends_on"
    assert committee.chair_on(date(2026, 5, 1)).starts_on == date(2026, 4, 1)
    assert committee.chair_on(date(2026, 11, 1)) is None
    assert committee.version == 4


def test_the_big_committee_draws_its_members_from_its_own_member_units() -> None:
    other = MemberUnit("x1", "别处单位", "enterprise", "changshan", "resident")
    with pytest.raises(RuleBroken, match="another community"):
        BigCommittee.register(
            TPJ, {"x1": other}, members=[{"member_unit_code": "x1", "name": "李"}]
        )
    with pytest.raises(RuleBroken, match="no member unit"):
        BigCommittee.register(TPJ, {}, members=[{"member_unit_code": "u9", "name": "李"}])
    with pytest.raises(RuleBroken) as broken:
        BigCommittee.register(TPJ, {}, secretary={"name": " "})
    assert broken.value.field == "secretary.name"


def test_a_department_gets_the_default_targets_and_a_nats_channel() -> None:
    department = Department.register("power_supply", "供电公司", ["power_supply"])
    assert department.sla.acknowledge_minutes == 30
    hours = department.sla.resolve_hours
    assert (hours.emergency, hours.utilities, hours.general, hours.complex) == (2, 24, 168, 360)
    assert [c.kind for c in department.channels] == ["nats"]
    faster = Department.register(
        "fire",
        "消防",
        ["fire_safety"],
        sla={"acknowledge_minutes": 5, "resolve_hours": {"emergency": 1}},
    )
    assert faster.sla.resolve_hours.emergency == 1 and faster.sla.resolve_hours.complex == 360


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channels": [{"kind": "webhook"}]}, "channels.url"),
        ({"channels": [{"kind": "webhook", "url": "ftp://x"}]}, "channels.url"),
        ({"channels": [{"kind": "nats"}, {"kind": "nats"}]}, "channels.kind"),
        ({"channels": [{"kind": "fax"}]}, "channels.kind"),
        ({"channels": []}, "channels"),
        ({"areas": [{"level": "province", "code": "cq"}]}, "areas.level"),
        ({"categories": []}, "categories"),
        ({"categories": ["Power Supply"]}, "categories"),
        ({"sla": {"acknowledge_minutes": 0}}, "sla.acknowledge_minutes"),
        ({"sla": {"resolve_hours": {"someday": 3}}}, "sla.resolve_hours"),
    ],
)
def test_a_bad_department_names_its_field(changes: dict, field: str) -> None:
    department = Department.register("power_supply", "供电公司", ["power_supply"])
    with pytest.raises(RuleBroken) as broken:
        department.update(changes)
    assert broken.value.field == field
    assert department.version == 1


def test_retired_things_refuse_change_but_keep_their_state() -> None:
    district = District.register("fuling", "涪陵区", "重庆市")
    district.retire(NOW)
    assert district.retired_at == NOW and district.version == 2
    assert isinstance(district.events[-1], events.Retired)
    with pytest.raises(Conflict):
        district.update({"name": "新区"})
    with pytest.raises(Conflict):
        district.retire(NOW)
    assert district.name == "涪陵区"


def test_a_party_household_sits_at_one_place_and_links_20_to_30_households() -> None:
    household = PartyOrganisation.register(
        "h1", "党员中心户", "party_household", TPJ, [BUILDING], 25
    )
    assert household.node_codes == ["b1"]
    with pytest.raises(RuleBroken) as broken:
        PartyOrganisation.register("h2", "户", "party_household", TPJ, [BUILDING], 31)
    assert broken.value.field == "linked_households"
    with pytest.raises(RuleBroken) as broken:
        PartyOrganisation.register("h3", "户", "party_household", TPJ, [BUILDING, MICRO], 25)
    assert broken.value.field == "node_codes"
    with pytest.raises(RuleBroken, match="covers a compound or grid"):
        PartyOrganisation.register("p1", "支部", "grid_party_branch", TPJ, [MICRO])
    with pytest.raises(RuleBroken, match="only a party household"):
        PartyOrganisation.register("p1", "支部", "grid_party_branch", TPJ, [GRID], 25)


def test_a_party_organisations_leader_is_a_party_member() -> None:
    resident = Person("p1", "taipingjie", "王建国")
    with pytest.raises(RuleBroken) as broken:
        PartyOrganisation.register(
            "g", "小组", "building_party_group", TPJ, [BUILDING], None, resident
        )
    assert broken.value.field == "leader_person_code"


def test_an_in_service_member_names_the_employer_and_double_reports() -> None:
    with pytest.raises(RuleBroken) as broken:
        Person.register("p1", TPJ, "李秀英", party_member_kind="in_service")
    assert broken.value.field == "employer_unit_code"
    member = Person.register("p1", TPJ, "李秀英", party_member_kind="in_service", employer=UNIT)
    assert (member.employer_unit_code, member.double_report) == ("u1", "not_reported")
    member.update({"double_report": "reported"}, employer=UNIT)
    assert member.double_report == "reported"
    member.update({"party_member_kind": "registered"})
    assert (member.employer_unit_code, member.double_report) == (None, None)
    with pytest.raises(RuleBroken) as broken:
        Person.register("p2", TPJ, "张", party_member_kind="mobile", employer=UNIT)
    assert broken.value.field == "employer_unit_code"


def test_the_grids_posts_sit_where_they_belong() -> None:
    officer = Person.register(
        "p1", TPJ, "王建国", roles=[("micro_grid_leader", MICRO), ("fire_warden", MICRO)]
    )
    assert [r.role for r in officer.roles] == ["micro_grid_leader", "fire_warden"]
    with pytest.raises(RuleBroken, match="serves a micro_grid, not a building") as broken:
        Person.register("p2", TPJ, "李", roles=[("police_officer", BUILDING)])
    assert broken.value.field == "roles.node_code"
    with pytest.raises(RuleBroken) as broken:
        Person.register("p3", TPJ, "李", roles=[("fire_warden", MICRO), ("fire_warden", MICRO)])
    assert broken.value.field == "roles"
    officer.retire(NOW)
    assert officer.roles == [] and officer.events[-1].state["roles"] == []


def test_a_persons_phone_is_personal_and_never_in_an_event() -> None:
    person = Person.register("p1", TPJ, "王建国", phone="138 0000 0000")
    assert {"name", "phone"} <= Person.PERSONAL_FIELDS
    assert "phone" not in person.events[0].state
    person.update({"phone": "13900000000"})
    assert person.version == 2 and "phone" not in person.events[-1].state
    with pytest.raises(RuleBroken) as broken:
        person.update({"phone": "call me"})
    assert broken.value.field == "phone"
    schema = org.PersonRegistered.model_json_schema()
    assert "phone" not in schema["properties"]
    assert schema["properties"]["name"]["x-personal"] is True
