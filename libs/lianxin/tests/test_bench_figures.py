"""The bench's arithmetic and its output: percentiles, rates, the JSON and the Markdown table."""

from __future__ import annotations

import json

import pytest

from lianxin.bench.ceiling import CeilingRun, plan
from lianxin.bench.platform_run import Loop, PlatformRun
from lianxin.bench.report import (
    at_half_load,
    build,
    curve_point,
    half_load_point,
    markdown,
    write,
)
from lianxin.bench.server_stats import DATABASE_COUNTERS, Snapshot, per_loop
from lianxin.bench.stats import percentile, rate, ratio, summary


def test_percentiles_interpolate_between_the_nearest_ranks() -> None:
    values = [40.0, 10.0, 30.0, 20.0]  # unsorted on purpose
    assert percentile(values, 0) == 10.0
    assert percentile(values, 50) == 25.0
    assert percentile(values, 100) == 40.0
    assert percentile(values, 95) == pytest.approx(38.5)
    assert percentile([7.0], 99) == 7.0


def test_percentiles_refuse_no_values_or_a_percentile_off_the_scale() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_a_summary_has_the_count_and_the_percentiles_in_milliseconds() -> None:
    figures = summary([float(n) for n in range(1, 101)])
    assert figures == {
        "count": 100,
        "mean": 50.5,
        "p50": 50.5,
        "p95": 95.0,
        "p99": 99.0,
        "max": 100.0,
    }
    assert summary([]) == {"count": 0}


def test_rates_and_ratios() -> None:
    assert rate(200, 16.0) == 12.5
    assert ratio(12.5, 50.0) == 0.25
    assert ratio(1.0, 0.0) is None
    with pytest.raises(ValueError):
        rate(1, 0.0)


def test_the_ceiling_does_a_loops_commits_and_publishes() -> None:
    wartime, peacetime = plan(wartime=True), plan(wartime=False)
    assert (sum(s.commits for s in wartime), sum(s.publishes for s in wartime)) == (12, 10)
    # Peacetime: resources and volunteers write nothing (no need opened per escalation any more).
    assert (sum(s.commits for s in peacetime), sum(s.publishes for s in peacetime)) == (8, 8)


def _result() -> dict:
    # Loops at 0.0, 0.1, …: the department holds each whistle 20 ms in, resolved 100 ms in.
    loops = [Loop(n / 10, n / 10 + 0.02, n / 10 + 0.1) for n in range(10)]
    ceiling = CeilingRun([4.0] * 10, 0.5, 2, commits_per_loop=11, publishes_per_loop=8)
    params = {"reporters": 2, "loops": 10, "warmup": 2, "urgency": "emergency"}
    params["department"] = "power_supply"
    host = {"cpu_count": 2, "load_average": [1.5, 1.0, 0.5]}
    return build(params, host, PlatformRun(loops, 2.0, 2), ceiling)


def test_the_result_holds_the_params_the_host_and_every_figure() -> None:
    result = _result()
    assert result["params"]["reporters"] == 2 and result["host"]["cpu_count"] == 2
    platform = result["platform"]
    assert (platform["loops"], platform["warmup_loops"], platform["loops_per_second"]) == (10, 2, 5)
    assert platform["report_to_department_ms"]["p50"] == pytest.approx(20.0)
    assert platform["report_to_resolved_ms"]["p99"] == pytest.approx(100.0)
    ceiling = result["ceiling"]
    assert (ceiling["loops_per_second"], ceiling["commits_per_loop"]) == (20.0, 11)
    assert ceiling["publishes_per_loop"] == 8 and ceiling["loop_ms"]["p95"] == 4.0
    assert result["platform_to_ceiling"] == 0.25


def test_the_markdown_table_has_a_row_per_measure_and_the_ratio() -> None:
    table = markdown(_result())
    lines = table.splitlines()
    assert "2 reporters, 10 loops (+2 warm-up)" in lines[0] and "2 CPUs" in lines[0]
    assert "| platform: report → department receives | 5.00 | 20.0 | 20.0 | 20.0 |" in lines
    assert "| platform: report → resolved over HTTP | 5.00 | 100.0 | 100.0 | 100.0 |" in lines
    assert any(line.startswith("| ceiling: 11 commits + 8 publishes") for line in lines)
    assert "Platform / ceiling: **0.25**" in table


def test_the_run_is_written_as_json_and_markdown(tmp_path) -> None:
    json_path, md_path = write(_result(), tmp_path / "bench")
    assert json.loads(json_path.read_text()) == _result()
    assert md_path.read_text() == markdown(_result())


def test_per_loop_divides_the_windows_deltas_by_its_loops() -> None:
    before = Snapshot(
        "pg_stat_statements",
        statements={"incidents": {"SELECT": 10, "INSERT": 4, "BEGIN": 3}},
        counters={"incidents": dict.fromkeys(DATABASE_COUNTERS, 5)},
        cpu_seconds={"incidents": 1.0, "bench": 0.5},
    )
    after = Snapshot(
        "pg_stat_statements",
        statements={"incidents": {"SELECT": 30, "INSERT": 14, "BEGIN": 13, "COMMIT": 10}},
        counters={"incidents": {**dict.fromkeys(DATABASE_COUNTERS, 5), "xact_commit": 15}},
        cpu_seconds={"incidents": 3.0, "bench": 0.7, "nats": 9.0},
    )
    figures = per_loop(before, after, 10)
    incidents = figures["per_loop"]["incidents"]
    # BEGIN and COMMIT are counted apart from the statements.
    assert (incidents["statements"], incidents["commits"], incidents["new_connections"]) == (
        3.0,
        1.0,
        0.0,
    )
    assert incidents["statements_by_kind"] == {
        "BEGIN": 1.0,
        "COMMIT": 1.0,
        "INSERT": 1.0,
        "SELECT": 2.0,
    }
    # A process seen only at the end (no start figure) is left out rather than guessed.
    assert figures["cpu_seconds_per_loop"] == {"incidents": 0.2, "bench": 0.02}


def test_the_curve_and_its_point_at_half_the_highest_load() -> None:
    loops = [Loop(n / 10, n / 10 + 0.02, n / 10 + 0.1) for n in range(10)]
    points = [curve_point(n, PlatformRun(loops, seconds, 0)) for n, seconds in ((1, 2.0), (4, 0.5))]
    assert [p["loops_per_second"] for p in points] == [5.0, 20.0]
    assert points[0]["report_to_department_ms"]["p99"] == pytest.approx(20.0)
    assert at_half_load(points)["reporters"] == 1
    result = build(
        {
            "reporters": 2,
            "loops": 10,
            "warmup": 2,
            "urgency": "emergency",
            "department": "power_supply",
        },
        {"cpu_count": 2, "load_average": [1.0, 1.0, 1.0]},
        PlatformRun(loops, 2.0, 2),
        CeilingRun([4.0] * 10, 0.5, 2, commits_per_loop=12, publishes_per_loop=10),
        curve=points,
    )
    assert "| 4 | 10 | 20.00 | 20.0 / 20.0 | 100.0 / 100.0 |" in markdown(result)


def test_the_open_loop_run_at_half_load_is_reported_with_what_it_offered() -> None:
    loops = [Loop(n / 10, n / 10 + 0.03, n / 10 + 0.1) for n in range(10)]
    half = half_load_point(5.0, PlatformRun(loops, 2.0, 0))
    assert half["offered_loops_per_second"] == 5.0 and half["loops_per_second"] == 5.0
    assert half["report_to_department_ms"]["p99"] == pytest.approx(30.0)
    result = build(
        {"reporters": 2, "loops": 10, "warmup": 2, "urgency": "emergency", "department": "x"},
        {"cpu_count": 2, "load_average": [1.0, 1.0, 1.0]},
        PlatformRun(loops, 1.0, 2),
        CeilingRun([4.0] * 10, 0.5, 2, commits_per_loop=12, publishes_per_loop=10),
        half_load=half,
    )
    assert result["at_half_load"] == half
    assert "**p99 30.0 ms**" in markdown(result)
