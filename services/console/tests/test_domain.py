"""The console's view logic: plain functions over the services' JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files

import pytest

from console.domain import figures
from console.domain.deadlines import assignment_deadline, local_time, remaining
from console.domain.forms import field_errors
from console.domain.i18n import AREAS, MESSAGES, CatalogError, merge, read_catalog, translator
from console.domain.tree import grid_tree
from console.domain.waterfall import waterfall

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def test_the_grid_tree_nests_nodes_and_seats_people_in_their_posts() -> None:
    nodes = [
        {"code": "g1-m1", "parent_code": "g1", "path": ["g1", "g1-m1"], "kind": "micro_grid"},
        {"code": "g1", "parent_code": None, "path": ["g1"], "kind": "grid"},
    ]
    people = [
        {"code": "p1", "name": "王芳", "roles": [{"role": "fire_warden", "node_code": "g1-m1"}]}
    ]
    [root] = grid_tree(nodes, people)
    assert root["code"] == "g1" and root["posts"] == []
    [micro] = root["children"]
    assert micro["posts"] == [{"role": "fire_warden", "name": "王芳", "code": "p1"}]


def test_the_waterfall_puts_children_under_parents_on_one_clock() -> None:
    spans = [
        {
            "trace_id": "t1",
            "span_id": "b",
            "parent_id": "a",
            "name": "publish",
            "service": "incidents",
            "start_ns": 50,
            "end_ns": 100,
        },
        {
            "trace_id": "t1",
            "span_id": "a",
            "parent_id": None,
            "name": "POST /incidents",
            "service": "console",
            "start_ns": 0,
            "end_ns": 100,
        },
        {
            "trace_id": "t2",
            "span_id": "c",
            "parent_id": "gone",
            "name": "process",
            "service": "department-x",
            "start_ns": 150,
            "end_ns": 200,
        },
    ]
    drawn = waterfall("t", spans)
    assert [(b.span_id, b.depth) for b in drawn.bars] == [("a", 0), ("b", 1), ("c", 0)]
    assert drawn.bars[1].offset_pct == 25.0 and drawn.bars[1].width_pct == 25.0
    assert drawn.services == ["console", "incidents", "department-x"]
    assert drawn.traces == ["t1", "t2"]
    assert waterfall("t", []).bars == []


def test_a_deadline_counts_down_then_up() -> None:
    assert remaining("2026-11-22T09:30:00Z", NOW)["zh"] == "剩余 1 小时 30 分"
    late = remaining("2026-11-22T07:45:00+00:00", NOW)
    assert late["overdue"] and late["en"] == "15 min overdue"
    assert remaining(None, NOW) is None
    assert local_time("2026-11-21T22:05:00Z") == "2026-11-22 06:05"  # China's time
    assert local_time(None) == ""
    signed = {
        "status": "acknowledged",
        "acknowledged_at": "x",
        "acknowledge_by": "a",
        "resolve_by": "b",
    }
    assert assignment_deadline(signed) == "b"
    assert assignment_deadline({**signed, "acknowledged_at": None}) == "a"
    assert assignment_deadline({**signed, "status": "resolved"}) is None


def test_figures_from_an_incident_list() -> None:
    incidents = [
        {
            "status": "escalated",
            "reported_at": "2026-11-21T10:00:00Z",
            "assignments": [
                {
                    "department_code": "power",
                    "status": "dispatched",
                    "acknowledged_at": None,
                    "acknowledge_by": "2026-11-22T07:00:00Z",
                    "breaches": [{"rung": "street"}, {"rung": "community"}],
                }
            ],
        },
        {
            "status": "closed",
            "reported_at": "2026-11-22T10:00:00Z",
            "assignments": [
                {"department_code": "power", "status": "resolved", "acknowledged_at": "x"}
            ],
            "feedback": [{"rating": "satisfied"}, {"rating": "unsatisfied"}],
        },
        {"status": "reported", "reported_at": "2026-11-22T11:00:00Z", "assignments": []},
    ]
    assert figures.counts(incidents, NOW) == {"open": 2, "overdue": 1, "escalated": 1}
    assert figures.rates(incidents) == {"response": 50.0, "resolution": 50.0, "satisfaction": 50.0}
    assert figures.rates([]) == {"response": None, "resolution": None, "satisfaction": None}
    assert figures.trend(incidents)["labels"] == ["2026-11-21", "2026-11-22"]
    assert figures.department_load(incidents, NOW) == [
        {"code": "power", "held": 1, "overdue": 1, "rung": "street"}
    ]


def test_figures_from_the_rates_endpoints_counts() -> None:
    taipingjie = {
        "dispatched": 3,
        "acknowledged": 3,
        "incidents": 4,
        "incidents_resolved": 1,
        "rated": 1,
        "satisfied": 1,
        "basically_satisfied": 0,
        "resolved_locally": 1,
    }
    changshan = {
        "dispatched": 1,
        "acknowledged": 0,
        "incidents": 0,
        "incidents_resolved": 0,
        "rated": 1,
        "satisfied": 0,
        "basically_satisfied": 0,
        "resolved_locally": 2,
        "deliberated": 2,
    }
    rows = [{"key": "taipingjie", "counts": taipingjie}, {"key": "changshan", "counts": changshan}]
    # Shares of the whole, not averages of shares.
    assert figures.rates_from_counts(rows) == {
        "response": 75.0,
        "resolution": 25.0,
        "satisfaction": 50.0,
        # Counts beside the rates: Changshan's two settled at deliberations among the three.
        "resolved_locally": 3,
        "deliberated": 2,
    }
    trend = figures.trend_from_series(
        ["2026-10", "2026-11"],
        [[{"counts": {}}, {"counts": taipingjie}], [{"counts": {}}, {"counts": changshan}]],
    )
    assert trend["response"] == [None, 75.0] and trend["labels"] == ["2026-10", "2026-11"]
    assert figures.recent_months(datetime(2026, 2, 3, tzinfo=UTC), 3) == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert figures.board_rung({"community": 2, "street": 1, "district_supervision": 0}) == "street"
    assert figures.board_rung({"community": 0}) is None


def test_problem_fields_go_to_their_form_fields_the_rest_to_the_form() -> None:
    problem = {
        "detail": "invalid",
        "errors": [
            {"field": "department_codes.0", "detail": "unknown department"},
            {"field": "actor", "detail": "too long"},
        ],
    }
    assert field_errors(problem, {"department_codes"}, "en") == (
        {"department_codes": "unknown department"},
        "too long",
    )
    assert field_errors({"status": 409, "detail": "already escalated"}, {"x"}, "en") == (
        {},
        "already escalated",
    )


def test_every_message_has_both_languages() -> None:
    assert all(zh and en for zh, en in MESSAGES.values())
    assert translator("en")("status.escalated") == "Escalated"
    assert translator("zh")("status.escalated") == "已吹哨"
    assert translator("zh")("category.something_new") == "something new"


def test_an_id_in_two_catalogs_stops_the_console_naming_the_id_and_both_files() -> None:
    care = read_catalog("care", '"care.title" = ["关爱", "Care"]')
    loop = read_catalog("loop", '"care.title" = ["回访", "Rating"]')
    with pytest.raises(CatalogError, match=r"'care\.title' .* care\.toml and loop\.toml"):
        merge({"care": care, "loop": loop})
    with pytest.raises(CatalogError, match=r"care\.toml: \['care\.title'\] defined twice"):
        read_catalog("care", '"care.title" = ["关爱", "Care"]\n"care.title" = ["关爱", "Care"]')


@pytest.mark.parametrize(
    "entry",
    ['["关爱"]', '["关爱", "Care", "Extra"]', '["关爱", ""]', '["关爱", 1]', '"Care"'],
)
def test_an_entry_not_two_words_stops_the_console_naming_the_file_and_id(entry: str) -> None:
    with pytest.raises(CatalogError, match=r"care\.toml: 'care\.title'"):
        read_catalog("care", f'"care.title" = {entry}')


def test_every_catalog_in_the_folder_is_read() -> None:
    folder = files("console.domain") / "messages"
    on_disk = {p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")}
    assert on_disk == set(AREAS)


def test_field_errors_read_in_chinese_by_the_rule_they_break() -> None:
    problem = {
        "detail": "invalid: description, affected_households, actor",
        "errors": [
            {
                "field": "description",
                "detail": "String should have at least 1 character",
                "type": "string_too_short",
                "ctx": {"min_length": 1},
            },
            {
                "field": "affected_households",
                "detail": "Input should be less than or equal to 1000000",
                "type": "less_than_equal",
                "ctx": {"le": 1000000},
            },
            {"field": "actor", "detail": "something the console has no words for"},
        ],
    }
    fields, message = field_errors(problem, {"description", "affected_households"}, "zh")
    assert fields == {"description": "至少 1 个字", "affected_households": "应不大于 1000000"}
    assert message == "actor: 填写有误"
    refused = {
        "errors": [
            {
                "field": "affected_households",
                "detail": "more than the 92 households of tpj-g01-m01",
                "type": "households_above_grid",
                "ctx": {"households": 92},
            }
        ]
    }
    assert field_errors(refused, {"affected_households"}, "zh")[0] == {
        "affected_households": "超过该网格的户数 (92 户)"
    }
    assert field_errors(refused, {"affected_households"}, "en")[0] == {
        "affected_households": "more than the 92 households of tpj-g01-m01"
    }


def test_the_consoles_policy_allows_no_inline_script_and_only_the_configured_tiles() -> None:
    from console.entrypoints.protection import content_security_policy

    policy = content_security_policy("https://tiles.example.cn/{z}/{x}/{y}.png")
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["img-src"] == "'self' data: blob: https://tiles.example.cn"
    assert "tiles" not in content_security_policy("")
