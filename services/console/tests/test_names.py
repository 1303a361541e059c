"""Issue #15: names instead of codes, timeline details in words, the counts' lists, the trace's
branches, and static files kept by version. Without I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from console.domain.deadlines import local_time
from console.domain.i18n import translator
from console.domain.names import Names, consumer_words, service_words, timeline_detail
from console.domain.waterfall import waterfall
from console.entrypoints.static import static_url, version
from console.entrypoints.web import templates, words

from .test_templates import LIST

NAMES = Names(
    communities={"taipingjie": "太平街社区", "longze": "龙泽书院社区"},
    grid_nodes={"tpj-g01-m03": "朝华新城第三微网格"},
    departments={"power_supply": ("供电公司", "Power supply company"), "property": ("物业", "")},
)


def _detail(action: str, detail: str, lang: str = "zh") -> str:
    return timeline_detail(action, detail, NAMES.speaking(lang), translator(lang), local_time)


def test_codes_read_as_names_and_an_unknown_code_as_itself() -> None:
    zh, en = NAMES.speaking("zh"), NAMES.speaking("en")
    assert zh.community("taipingjie") == "太平街社区"
    assert zh.grid("tpj-g01-m03") == "朝华新城第三微网格"
    assert zh.department("power_supply") == "供电公司"
    assert en.department("power_supply") == "Power supply company"
    assert en.department("property") == "物业"  # no English name: the Chinese one
    assert zh.community("elsewhere") == "elsewhere" and zh.grid(None) == ""


def test_the_timeline_details_incidents_writes_for_machines_read_as_words() -> None:
    assert _detail("escalated", "→ power_supply, property") == "→ 供电公司、物业"
    assert _detail("escalated", "→ power_supply (wartime)") == "→ 供电公司 (战时)"
    assert _detail("resolved", "every assignment resolved") == "各部门均已办结"
    assert _detail("closed", "satisfied") == "满意"
    assert _detail("reopened", "unsatisfied: 灯还是不亮") == "不满意：灯还是不亮"
    assert _detail("rerouted", "property → power_supply") == "物业 → 供电公司"
    assert _detail("shared", "+ longze: 跨社区") == "+ 龙泽书院社区：跨社区"
    assert _detail(
        "merged", f"{'0' * 8}-0000-4000-8000-{'0' * 12}: +3 households, +1 merchants"
    ) == ("+3 户 · +1 商户")
    assert _detail("merged_into", "6d0f9d2e-0000-4000-8000-000000000001") == ""
    breach = "power_supply: acknowledge by 2026-11-21T22:05:00+00:00 missed → street"
    assert _detail("ladder_climbed", breach) == "供电公司：接单时限 2026-11-22 06:05 已过 → 街道"
    assert _detail("assignment_resolved", "已恢复供电 (late)") == "已恢复供电 (超时)"
    # What a person typed stays as typed.
    assert _detail("verified", "现场核实: ok") == "现场核实: ok"
    assert _detail("closed", "satisfied", "en") == "Satisfied"


def test_services_and_consumers_are_named_by_what_they_do() -> None:
    t, zh = translator("zh"), NAMES.speaking("zh")
    assert service_words("incidents", t, zh) == "民情事件服务"
    assert service_words("department-power_supply", t, zh) == "供电公司 部门系统"
    assert consumer_words("dept_power_supply", t, zh) == "供电公司 · 接收派单"
    assert consumer_words("incidents_org", t, zh) == "民情事件服务 · 同步网格与部门"
    assert consumer_words("volunteers_dead_letters", t, zh) == "志愿服务 · 死信记录"


NOW = datetime(2026, 11, 22, tzinfo=UTC)


def _span(span_id: str, parent: str | None, start: int, end: int, **more) -> dict:
    return {
        "trace_id": "t1",
        "span_id": span_id,
        "parent_id": parent,
        "name": more.pop("name", span_id),
        "service": more.pop("service", "incidents"),
        "start_ns": start,
        "end_ns": end,
        **more,
    }


def test_the_life_cycle_is_not_nested_under_the_short_report_request() -> None:
    spans = [
        _span("report", None, 0, 38, service="console", attributes={"enduser.id": "tpj-g01"}),
        _span("insert", "report", 5, 10, name="INSERT", attributes={"db.system": "postgresql"}),
        _span("publish", "report", 100, 110, kind="PRODUCER"),  # the relay, after the request
        _span(
            "process",
            "publish",
            120,
            300,
            kind="CONSUMER",
            service="department-power_supply",
            attributes={"messaging.consumer.group.name": "dept_power_supply"},
        ),
        _span("select", "process", 130, 140, name="SELECT accounts"),
        _span("step", "report", 400, 420, links=[{"trace_id": "t9", "span_id": "r"}]),
    ]
    drawn = waterfall("t1", spans)
    assert [(b.span_id, b.depth) for b in drawn.bars] == [
        ("report", 0),
        ("insert", 1),
        ("publish", 0),
        ("process", 0),
        ("select", 1),
        ("step", 0),
    ]
    bars = {b.span_id: b for b in drawn.bars}
    assert bars["publish"].caused_by is bars["report"]
    assert bars["process"].caused_by is bars["publish"]
    assert bars["insert"].db and bars["select"].db and not bars["report"].db
    assert bars["report"].statements == 1 and drawn.statements == 2
    assert bars["report"].actor == "tpj-g01"
    assert bars["process"].actor == "dept_power_supply"
    assert bars["step"].linked == ("t9",)


def test_a_static_file_is_asked_for_by_its_version() -> None:
    assert static_url("console.css") == f"/static/console.css?v={version('console.css')}"
    assert len(version("console.js")) == 10


def test_the_incident_list_is_labelled_for_cards_on_a_phone_and_named() -> None:
    incident = {
        "id": "i-1",
        "reported_at": "2026-11-21T22:05:00Z",
        "community_code": "taipingjie",
        "micro_grid_code": "tpj-g01-m03",
        "category": "power_supply",
        "urgency": "general",
        "description": "https://example.com/" + "a" * 200,
        "status": "escalated",
    }
    html = templates.get_template("incidents.html").render(
        **words("zh", NAMES), principal=None, nav=[], path="/", incidents=[incident], **LIST
    )
    assert 'class="incidents cardify"' in html and 'data-label="类别"' in html
    assert "太平街社区" in html and "朝华新城第三微网格" in html
    assert ">taipingjie<" not in html and ">tpj-g01-m03<" not in html
