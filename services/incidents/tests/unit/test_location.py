"""Where an incident is: a building and unit the micro-grid has (where the grid tree knows
them), and a map pin with both coordinates in range."""

from __future__ import annotations

import pytest

from incidents.domain.location import check_location
from lianxin.errors import RuleBroken

CHANGSHAN = {"1栋": ["1栋1单元", "1栋2单元"], "2栋": []}


def test_a_building_and_unit_of_the_micro_grid_are_kept_trimmed() -> None:
    assert check_location(" 1栋 ", "1栋2单元", None, None, CHANGSHAN) == ("1栋", "1栋2单元")
    # A building whose units the tree does not list takes any unit name.
    assert check_location("2栋", "3单元", None, None, CHANGSHAN) == ("2栋", "3单元")
    # Where the tree knows no buildings, any short name is taken.
    assert check_location("朝华新城5栋", "", 29.7, 107.4, {}) == ("朝华新城5栋", "")


@pytest.mark.parametrize(
    ("where", "field", "type_"),
    [
        (("9栋", "", None, None), "building", "unknown_building"),
        (("1栋", "1栋9单元", None, None), "unit", "unknown_unit"),
        (("", "1栋1单元", None, None), "building", "missing"),
        (("1栋", "", 29.7, None), "longitude", "missing"),
        (("1栋", "", 91.0, 107.0), "latitude", "less_than_equal"),
        (("1栋", "", 29.7, 181.0), "longitude", "less_than_equal"),
        (("楼" * 65, "", None, None), "building", "string_too_long"),
    ],
)
def test_a_location_the_micro_grid_does_not_have_is_refused_by_field(where, field, type_) -> None:
    with pytest.raises(RuleBroken) as refused:
        check_location(*where, CHANGSHAN)
    assert (refused.value.field, refused.value.type) == (field, type_)


def test_the_report_keeps_the_location_and_its_event_carries_it(report) -> None:
    incident = report(building="1栋", unit="1栋2单元", latitude=43.88, longitude=125.32,
                      buildings=CHANGSHAN)  # fmt: skip
    assert (incident.building, incident.unit, incident.longitude) == ("1栋", "1栋2单元", 125.32)
    [reported] = incident.events
    assert (reported.building, reported.unit, reported.latitude) == ("1栋", "1栋2单元", 43.88)
    with pytest.raises(RuleBroken):
        report(building="9栋", buildings=CHANGSHAN)
    assert report().building == ""  # no location given: none kept, none checked
