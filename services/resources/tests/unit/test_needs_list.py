from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from lianxin.errors import Conflict, RuleBroken
from lianxin.testing.rules import refused
from resources.domain import events
from resources.domain.needs import NeedSource, NeedStatus

from .builders import T0, a_need, days


def test_a_recorded_need_is_open_with_its_fact() -> None:
    need = a_need()
    assert (need.status, need.source, need.affected_count) == (
        NeedStatus.OPEN,
        NeedSource.RESIDENT,
        120,
    )
    (recorded,) = need.events
    assert isinstance(recorded, events.NeedRecorded)
    assert (recorded.grid_node_code, recorded.urgency, recorded.at) == ("yxl-g2", "normal", T0)


def test_a_need_keeps_what_it_came_out_of() -> None:
    need = a_need(source="resident", origin_ref="bench-meeting:changshan-b5:2026-03-02#1")
    recorded = need.events[0]
    assert isinstance(recorded, events.NeedRecorded)
    assert recorded.origin_ref == "bench-meeting:changshan-b5:2026-03-02#1"


def test_a_need_from_an_incident_names_it_and_only_then() -> None:
    incident = uuid4()
    need = a_need(source="incident", source_incident_id=incident)
    assert need.source_incident_id == incident
    assert refused(lambda: a_need(source="incident")) == "source_incident_id"
    with pytest.raises(RuleBroken) as refusal:
        a_need(source="merchant", source_incident_id=incident)
    assert refusal.value.field == "source_incident_id"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("source", "neighbour"),
        ("urgency", "asap"),
        ("affected_count", 0),
        ("category", " "),
        ("grid_node_code", ""),
        ("title", "x" * 201),
    ],
)
def test_bad_input_names_the_field(field: str, value: Any) -> None:
    assert refused(lambda: a_need(**{field: value})) == field


def test_open_matched_in_project_met() -> None:
    need = a_need()
    offer, project = uuid4(), uuid4()
    need.match([offer, offer], T0 + days(1))
    assert need.matched_offer_ids == (offer,)
    need.take_into_project(project, T0 + days(2))
    need.take_into_project(project, T0 + days(3))  # the decision delivered twice
    need.meet("凉亭建成", T0 + days(90))
    assert need.status is NeedStatus.MET and need.closed_at == T0 + days(90)
    assert [type(e).__name__ for e in need.events] == [
        "NeedRecorded",
        "NeedMatched",
        "NeedTakenIntoProject",
        "NeedMet",
    ]


def test_a_decline_needs_its_reason_and_is_final() -> None:
    need = a_need()
    assert refused(lambda: need.decline("  ", T0)) == "reason" and need.status is NeedStatus.OPEN
    need.decline("超出社区能力，已转区住建局", T0 + days(1))
    with pytest.raises(Conflict):
        need.match([uuid4()], T0 + days(2))
    with pytest.raises(Conflict):
        need.take_into_project(uuid4(), T0 + days(2))
    assert need.status is NeedStatus.DECLINED


def test_an_open_need_cannot_be_met_without_a_match_or_project() -> None:
    need = a_need()
    with pytest.raises(Conflict):
        need.meet("done", T0)
    assert refused(lambda: need.match([], T0)) == "resource_offer_ids"
