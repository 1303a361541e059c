"""Mobilisation: ranking by micro-grid, grid, community and skills; squads with leaders;
answers, on-site check-in, close → hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from lianxin.errors import Conflict
from lianxin.testing.rules import refused
from volunteers.domain import events
from volunteers.domain.mobilisation import Mobilisation, Tier, rank_candidates
from volunteers.domain.volunteers import Volunteer

NOW = datetime(2026, 2, 20, 6, 0, tzinfo=UTC)


def v(name: str, path: list[str], skills: tuple[str, ...] = (), **kw: object) -> Volunteer:
    return Volunteer.register("longze", name, "139", path, NOW, skills=skills, **kw)  # type: ignore[arg-type]


def test_start_keeps_its_first_shape() -> None:
    incident = uuid4()
    m = Mobilisation.start(incident, "longze", ["lz-g1", "lz-g1-m2"], NOW)
    assert (m.grid_code, m.status, m.node_path) == ("lz-g1", "active", ("lz-g1", "lz-g1-m2"))
    assert m.events == [events.MobilisationStarted(m.id, "longze", "lz-g1", incident)]
    assert refused(lambda: Mobilisation.start(incident, "longze", [], NOW)) == "grid_path"


def test_candidates_by_micro_grid_then_grid_then_community_skills_first_within_a_tier() -> None:
    far = v("far", ["lz-g2"], ("shovel",))
    grid_plain = v("grid", ["lz-g1", "lz-g1-m1"])
    grid_skilled = v("grid+", ["lz-g1", "lz-g1-m1"], ("shovel",))
    near = v("near", ["lz-g1", "lz-g1-m2", "b5"])
    member = v(
        "in-service",
        ["lz-g1", "lz-g1-m2"],
        ("shovel", "first_aid"),
        party_member_kind="in_service",
        employer_unit_code="u",
        employer_branch_code="b",
    )
    stranger = Volunteer.register("taipingjie", "x", "139", ["lz-g1"], NOW)
    ranked = rank_candidates(
        [far, grid_plain, grid_skilled, near, member, stranger],
        "longze",
        ["lz-g1", "lz-g1-m2"],
        ["Shovel", "first_aid"],
    )
    assert [c.volunteer_id for c in ranked] == [
        member.id,
        near.id,
        grid_skilled.id,
        grid_plain.id,
        far.id,
    ]
    assert [c.tier for c in ranked] == [Tier.MICRO_GRID] * 2 + [Tier.GRID] * 2 + [Tier.COMMUNITY]


def test_squads_are_led_by_their_first_party_member_and_everyone_is_called() -> None:
    people = [v(f"p{i}", ["lz-g1"]) for i in range(5)]
    people[1] = v("党员", ["lz-g1"], party_member_kind="registered")
    m = Mobilisation.start(uuid4(), "longze", ["lz-g1"], NOW)
    ranked = rank_candidates(people, "longze", ["lz-g1"])
    squads = m.form_squads(ranked, 3, NOW)
    assert [len(s.member_ids) for s in squads] == [3, 2]
    first = [c.volunteer_id for c in ranked[:3]]
    party = people[1].id
    assert squads[0].leader_id == (party if party in first else first[0])
    called = [e for e in m.events if isinstance(e, events.MobilisationCalled)]
    assert len(called) == 5 and sum(e.leads_squad for e in called) == 2
    # Everybody is called already.
    assert refused(lambda: m.form_squads(ranked, 3, NOW)) == "candidates"
    assert refused(lambda: m.form_squads(ranked, 0, NOW)) == "squad_size"


def test_a_leader_who_declines_hands_over_and_arriving_counts_as_accepting() -> None:
    a, b = v("a", ["lz-g1"]), v("b", ["lz-g1"])
    m = Mobilisation.start(uuid4(), "longze", ["lz-g1"], NOW)
    [squad] = m.form_squads(rank_candidates([a, b], "longze", ["lz-g1"]), 2, NOW)
    leader, other = squad.member_ids
    m.answer(leader, False, NOW)
    assert squad.leader_id == other
    m.answer(other, False, NOW)
    assert squad.leader_id is None
    m.check_in(leader, NOW + timedelta(minutes=20))
    assert (squad.leader_id, m.call_ups[leader].accepted) == (leader, True)
    with pytest.raises(Conflict):
        m.answer(leader, False, NOW)
    assert refused(lambda: m.check_in(uuid4(), NOW)) == "volunteer_id"


def test_closing_turns_each_arrival_into_hours_once() -> None:
    a, b, c = (v(n, ["lz-g1"]) for n in "abc")
    m = Mobilisation.start(uuid4(), "longze", ["lz-g1"], NOW)
    m.form_squads(rank_candidates([a, b, c], "longze", ["lz-g1"]), 3, NOW)
    m.check_in(a.id, NOW)
    m.check_in(b.id, NOW + timedelta(minutes=30))
    m.check_out(b.id, NOW + timedelta(hours=1, minutes=40))
    hours = m.close(NOW + timedelta(hours=3, minutes=10))
    assert {(who, h) for who, h, _ in hours} == {(a.id, Decimal(3)), (b.id, Decimal("1"))}
    assert {k for *_, k in hours} == {f"mobilisation:{m.id}:{a.id}", f"mobilisation:{m.id}:{b.id}"}
    assert m.status == "closed"
    with pytest.raises(Conflict):
        m.close(NOW)
