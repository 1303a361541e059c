"""Volunteer profiles and teams: membership is history, contact is private unless consented."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lianxin.errors import Conflict
from lianxin.testing.rules import refused
from volunteers.domain import events
from volunteers.domain.volunteers import Team, Volunteer, mask

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def volunteer(**kw: object) -> Volunteer:
    args: dict[str, object] = {
        "community_code": "changshan",
        "name": "老张",
        "contact": "13812345678",
        "home_node_path": ["cs-g1", "cs-g1-m1"],
        "now": NOW,
    }
    return Volunteer.register(**(args | kw))  # type: ignore[arg-type]


def test_registering_tells_what_the_branch_and_the_grid_need() -> None:
    v = volunteer(
        skills=["Knife_Sharpening", "repair", "repair"],
        person_code="P-0001",
        party_member_kind="in_service",
        employer_unit_code="power-co",
        employer_branch_code="power-co-branch-3",
    )
    assert v.skills == ("knife_sharpening", "repair")
    assert (v.in_service, v.grid_code) == (True, "cs-g1")
    [registered] = v.events
    assert isinstance(registered, events.VolunteerRegistered)
    assert registered.employer_branch_code == "power-co-branch-3"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": " "}, "name"),
        ({"home_node_path": []}, "home_node_path"),
        ({"party_member_kind": "honorary"}, "party_member_kind"),
        ({"party_member_kind": "in_service", "employer_branch_code": "b"}, "employer_unit_code"),
        ({"party_member_kind": "in_service", "employer_unit_code": "u"}, "employer_branch_code"),
        ({"party_member_kind": "registered", "employer_unit_code": "u"}, "employer_unit_code"),
        ({"employer_branch_code": "b"}, "employer_branch_code"),
    ],
)
def test_bad_profiles_are_refused_naming_the_field(kw: dict[str, object], field: str) -> None:
    assert refused(lambda: volunteer(**kw)) == field


def test_contact_is_masked_unless_consented_or_seen_by_their_own_coordinators() -> None:
    v = volunteer()
    assert v.contact_for(may_see_personal_data=False) == "138****5678"
    assert v.contact_for(may_see_personal_data=True) == "13812345678"
    v.set_consent(True, NOW)
    assert v.contact_for(may_see_personal_data=False) == "13812345678"
    assert mask("li@example.cn") == "l*@example.cn"
    assert mask("12345") == "****"


def test_an_update_that_changes_nothing_says_nothing() -> None:
    v = volunteer(skills=["repair"])
    v.events.clear()
    v.change_skills(["repair"], NOW)
    assert v.events == []
    v.move_home(["cs-g2"], NOW)
    assert v.events == [events.VolunteerUpdated(v.id, ("home_node_path",), NOW)]


def test_team_membership_is_kept_as_periods_never_deleted() -> None:
    team = Team.form("changshan", "红马甲磨刀队", "red_vest", NOW)
    fitter, other = volunteer(), volunteer(name="小李")
    team.join(fitter, NOW, role="leader")
    team.join(other, NOW + timedelta(days=1))
    team.leave(other.id, NOW + timedelta(days=10))
    team.join(other, NOW + timedelta(days=20))
    assert len(team.memberships) == 3
    assert team.members(NOW + timedelta(days=15)) == [fitter.id]
    assert set(team.members(NOW + timedelta(days=25))) == {fitter.id, other.id}
    assert team.members_during(NOW + timedelta(days=11), NOW + timedelta(days=12)) == {fitter.id}
    assert team.is_leader(fitter.id, NOW) and not team.is_leader(other.id, NOW + timedelta(days=2))


def test_a_new_role_is_a_new_period_so_who_led_when_stays_known() -> None:
    team = Team.form("changshan", "巡逻队", "patrol", NOW)
    v = volunteer()
    team.join(v, NOW)
    team.change_role(v.id, "leader", NOW + timedelta(days=5))
    assert not team.is_leader(v.id, NOW + timedelta(days=1))
    assert team.is_leader(v.id, NOW + timedelta(days=6))
    assert [m.role for m in team.memberships] == ["member", "leader"]


def test_team_refusals() -> None:
    team = Team.form("changshan", "巡逻队", "patrol", NOW)
    v = volunteer()
    team.join(v, NOW)
    with pytest.raises(Conflict):
        team.join(v, NOW)
    with pytest.raises(Conflict):
        team.leave(volunteer().id, NOW)
    assert refused(lambda: team.join(volunteer(community_code="taipingjie"), NOW)) == "volunteer_id"
    assert refused(lambda: Team.form("changshan", "x", "choir", NOW)) == "kind"
