"""Duplicate reports: same place, same category, within a window."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from incidents.domain.duplicates import DEFAULT_WINDOW, candidates

if TYPE_CHECKING:
    from conftest import Clock, ReportFactory

TREE = {"category": "tree", "urgency": "general", "description": "overgrown tree"}


def test_the_default_window_is_a_day() -> None:
    assert timedelta(hours=24) == DEFAULT_WINDOW


def test_an_earlier_report_in_the_same_micro_grid_and_category_is_a_candidate(
    report: ReportFactory, clock: Clock
) -> None:
    first = report(**TREE)
    clock.advance(timedelta(hours=3))
    second = report(**TREE)
    clock.advance(timedelta(hours=20))
    third = report(**TREE)
    assert candidates(third, [first, second, third]) == [first, second]  # oldest first
    assert candidates(second, [first, second, third]) == [first]  # never a later one


def test_outside_the_window_it_is_a_new_problem(report: ReportFactory, clock: Clock) -> None:
    first = report(**TREE)
    clock.advance(timedelta(hours=25))
    second = report(**TREE)
    assert candidates(second, [first]) == []
    assert candidates(second, [first], window=timedelta(days=2)) == [first]


def test_another_category_or_place_or_community_is_not_a_candidate(
    report: ReportFactory,
) -> None:
    new = report(**TREE)
    others = [
        report(**{**TREE, "category": "parking"}),
        report(**TREE, micro_grid_code="tpj-g01-m02", grid_path=["tpj-g01", "tpj-g01-m02"]),
        report(**TREE, community_code="yongxinglu"),
    ]
    assert candidates(new, others) == []


def test_a_grid_node_widens_the_place(report: ReportFactory) -> None:
    # The same tree seen from two micro-grids of one grid.
    new = report(**TREE)
    neighbour = report(**TREE, micro_grid_code="tpj-g01-m02", grid_path=["tpj-g01", "tpj-g01-m02"])
    far = report(**TREE, micro_grid_code="tpj-g02-m01", grid_path=["tpj-g02", "tpj-g02-m01"])
    assert candidates(new, [neighbour, far], within="tpj-g01") == [neighbour]
    # A node the new report does not lie under matches nothing.
    assert candidates(new, [neighbour, far], within="tpj-g02") == []


def test_only_incidents_that_can_take_a_duplicate_in_are_candidates(
    report: ReportFactory, clock: Clock
) -> None:
    merged, cancelled, closed, open_ = (report(**TREE) for _ in range(4))
    open_.merge(merged, "coordinator", clock.now)
    cancelled.cancel("mistake", "coordinator", clock.now)
    closed.resolve_locally("trimmed", "grid", clock.now)
    closed.verify("grid_leader", "", clock.now)
    closed.follow_up("satisfied", "", "resident", clock.now)
    new = report(**TREE)
    assert candidates(new, [merged, cancelled, closed, open_]) == [open_]


def test_a_resolved_or_closed_incident_is_not_suggested(report: ReportFactory) -> None:
    """Issue #15: the suggestions listed incidents already resolved (a new report after the
    fix is a new occurrence, or the fix failing, which the feedback reopens)."""
    new = report(**TREE)
    done = [report(**TREE) for _ in range(3)]
    for incident, status in zip(done, ("resolved", "verified", "closed"), strict=True):
        incident.status = status
    still = report(**TREE)
    still.status = "escalated"
    assert candidates(new, [*done, still]) == [still]
