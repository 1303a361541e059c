"""How incidents read as Open311 requests and updates, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidents.domain.open311 import Line, action_for, status_of, updates

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("reported", "open"),
        ("accepted", "open"),
        ("escalated", "open"),
        ("resolved", "closed"),
        ("verified", "closed"),
        ("closed", "closed"),
        ("rejected", "closed"),
        ("cancelled", "closed"),
        ("merged", "closed"),
    ],
)
def test_our_statuses_are_open_until_resolved_or_ended(ours: str, theirs: str) -> None:
    assert status_of(ours) == theirs


def test_each_timeline_line_is_an_update_with_the_status_it_left() -> None:
    actions = ["reported", "escalated", "acknowledged", "resolved", "reopened", "merged_into"]
    lines = [
        Line(seq, NOW + timedelta(minutes=seq), action, "someone", "note" if seq == 2 else "")
        for seq, action in enumerate(actions)
    ]
    found = updates("r1", list(reversed(lines)))
    assert [(u.update_id, u.status) for u in found] == [
        ("r1.0", "open"),
        ("r1.1", "open"),
        ("r1.2", "open"),
        ("r1.3", "closed"),
        ("r1.4", "open"),
        ("r1.5", "closed"),
    ]
    assert found[2].description == "acknowledged: note" and found[1].description == "escalated"
    # The incident a duplicate merged into goes on; a locally resolved one is done.
    merged = updates("r2", [Line(0, NOW, "reported", "a", ""), Line(1, NOW, "merged", "a", "")])
    assert [u.status for u in merged] == ["open", "open"]
    local = [Line(0, NOW, "reported", "a", ""), Line(1, NOW, "resolved_locally", "a", "")]
    local = updates("r3", local)
    assert [u.status for u in local] == ["open", "closed"]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("open", "acknowledge"),
        ("INVESTIGATING", "acknowledge"),
        ("action_scheduled", "acknowledge"),
        ("IN_PROGRESS", "handle"),
        ("closed", "report_result"),
        ("FIXED", "report_result"),
        ("NOT_COUNCILS_RESPONSIBILITY", "return"),
        ("duplicate", None),
    ],
)
def test_a_back_offices_update_status_maps_onto_one_department_action(status, action) -> None:
    assert action_for(status) == action
