from __future__ import annotations

from resources.domain.matching import suggest

from .builders import T0, a_need, an_offer, days


def test_ranked_by_fit_then_place_then_availability_with_reasons() -> None:
    need = a_need(skills=("carpentry",), needed_at=T0 + days(20))
    near = an_offer(member_unit_code="near", grid_node_code="yxl-g2")
    same_community = an_offer(member_unit_code="community")
    elsewhere = an_offer(member_unit_code="elsewhere", community_code="taipingjie")
    late = an_offer(member_unit_code="late", grid_node_code="yxl-g2", available_from=T0 + days(40))
    skilled = an_offer(member_unit_code="skilled", categories=(), skills=("carpentry",))
    unfit = an_offer(member_unit_code="unfit", categories=("legal_aid",))
    used_up = an_offer(member_unit_code="used-up", quantity=1)
    used_up.use(1, "earlier", T0, None)
    ranked = suggest(need, [unfit, elsewhere, late, skilled, same_community, near, used_up], T0)
    assert [(s.member_unit_code, s.score) for s in ranked] == [
        ("near", 90),
        ("community", 80),
        ("late", 70),
        ("elsewhere", 60),
        ("skilled", 50),
    ]
    late_reasons = {r.rule: r.detail for r in ranked[2].reasons}
    assert late_reasons["not_available"] == "not available before 2026-02-14"
    assert late_reasons["quantity_left"] == "10 people left"


def test_ties_put_more_left_first_and_limit_cuts() -> None:
    need = a_need()
    small = an_offer(member_unit_code="a-small", quantity=1)
    big = an_offer(member_unit_code="b-big", quantity=9)
    assert [s.member_unit_code for s in suggest(need, [small, big], T0)] == ["b-big", "a-small"]
    assert len(suggest(need, [small, big], T0, limit=1)) == 1
