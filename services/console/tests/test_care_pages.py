"""The care pages' templates, rendered without I/O: Chinese first, text escaped, the card's
figures without a name."""

from __future__ import annotations

from datetime import date

from console.domain import party_households
from console.domain.names import Names
from console.entrypoints.care_pages import CARE_GROUPS, VISIT_KINDS
from console.entrypoints.web import templates, words
from lianxin.demo import FIGURES, GRID_NODES, PARTY_ORGANISATIONS
from lianxin.demo.care import entries

# The demo's Mrs Wang (story 14), her name made to need escaping, with one visit due.
WANG = {
    **entries(date(2026, 11, 29))[0],
    "name": "王秀英 <b>",
    "due": [{"entry_code": "yxl-care-001", "kind": "home_visit", "due_at": "2026-11-20T01:00Z"}],
}


def _render(name: str, lang: str = "zh", **context) -> str:
    named = Names(grid_nodes={"yxl-g01": "第一网格"})
    return templates.get_template(name).render(
        **words(lang, named), principal=None, nav=[], path="/", **context
    )


def test_a_carer_sees_her_people_with_their_due_visits_and_a_form_each() -> None:
    html = _render("care.html", people=[WANG], kinds=VISIT_KINDS, notice="care.need_waiting")
    assert "王秀英 &lt;b&gt;" in html and "独居" in html and 'data-due="home_visit"' in html
    assert 'action="/care/entries/yxl-care-001/visits"' in html and "送餐" in html
    assert "待网格长转为需求" in html
    english = _render("care.html", lang="en", people=[], kinds=VISIT_KINDS)
    assert "Nobody on your care list" in english and "data-as-volunteer" not in english


def test_a_carer_who_volunteers_sees_what_her_visits_earned_and_a_minutes_field() -> None:
    service = {
        "visit_id": "v9",
        "at": "2026-11-25T04:00:00Z",
        "description": "关爱送餐",
        "hours": "1.50",
        "points": 15,
    }
    html = _render("care.html", people=[WANG], kinds=VISIT_KINDS, services=[service])
    assert 'name="minutes"' in html and "用时（分钟）" in html
    assert "data-as-volunteer" in html and "计入志愿服务时长和积分" in html
    assert 'data-care-service="v9">关爱送餐 · ' in html and "1.50 小时 · +15 积分" in html
    assert "暂无记入的关爱服务" in _render("care.html", people=[], kinds=VISIT_KINDS, services=[])
    # A carer who is no volunteer (services None) is told nothing of hours or points.
    plain = _render("care.html", people=[WANG], kinds=VISIT_KINDS, services=None)
    assert "data-as-volunteer" not in plain and "data-care-services" not in plain


def test_the_grid_page_flags_overdue_visits_and_lists_the_months_birthdays() -> None:
    page = {
        "grid_code": "yxl-g01",
        "entries": [WANG],
        "overdue": WANG["due"],
        "follow_ups": [
            {
                "id": "v1",
                "entry_code": "yxl-care-001",
                "outcome": "滑倒，需要扶手",
                "community_code": "yongxinglu",
                "grid_code": "yxl-g01",
            }
        ],
        "birthdays": [{"code": "yxl-care-001", "name": "王秀英", "birth_date": "1941-11-12"}],
    }
    html = _render(
        "care_grid.html",
        page=page,
        people={"yxl-care-001": "王秀英"},
        kinds=VISIT_KINDS,
        may_raise=True,
    )
    assert "<h1>网格关爱 · 第一网格</h1>" in html  # the grid's name, not its code
    assert 'data-overdue="yxl-care-001">王秀英 · ' in html
    assert 'data-birthday="yxl-care-001"' in html
    assert 'action="/care/visits/v1/need"' in html and "11-12" in html


def test_the_dashboard_card_counts_per_grid_and_names_nobody() -> None:
    rows = [
        {
            "grid_code": "yxl-g01",
            "people": 3,
            "overdue": 1,
            "by_group": dict.fromkeys(CARE_GROUPS, 1),
            "community_code": "yongxinglu",
        }
    ]
    html = _render("_care_card.html", rows=rows, groups=CARE_GROUPS, over_60=2249)
    assert 'data-care="over_60">2249<' in html and 'data-care="people">3<' in html
    assert 'class="bad">1<' in html
    assert "第一网格" in html and "王秀英" not in html


def _with_paths(nodes: list[dict]) -> list[dict]:
    """The demo tree's nodes as organisation answers them: each with its path from the root."""
    parent = {n["code"]: n.get("parent_code") for n in nodes}

    def path(code: str | None) -> list[str]:
        return [*path(parent[code]), code] if code else []

    return [{**n, "path": path(n["code"])} for n in nodes]


def test_changshans_party_households_are_counted_per_grid_with_the_households_they_link() -> None:
    nodes = _with_paths([n for n in GRID_NODES if n["community_code"] == "changshan"])
    parties = [p for p in PARTY_ORGANISATIONS if p["community_code"] == "changshan"]
    grids = party_households.by_grid(parties, nodes, party_households.grids_of(nodes))
    # 161 party households (the article's figure) in the ten grids, 20–30 households each.
    assert sorted(grids) == [f"csh-g{g:02d}" for g in range(1, 11)]
    total = party_households.totals(grids.values())
    assert total["party_households"] == FIGURES["changshan"]["party_households"] == 161
    for row in grids.values():
        n, linked = row["party_households"], row["linked_households"]
        assert 20 * n <= linked <= 30 * n
    # The demo carer's party household (5栋1单元) sits in building 5's grid, which is counted.
    assert grids["csh-g04"]["party_households"] >= 1
    empty = {"people": 0, "by_group": {}, "overdue": 0}
    rows = [{"grid_code": g, **empty, **r} for g, r in grids.items()]
    html = _render("_care_card.html", rows=rows, groups=CARE_GROUPS, over_60=0, party=total)
    assert 'data-care="party_households">161<' in html and "党员家庭户" in html
    assert f'data-care="linked_households">{total["linked_households"]}<' in html
    assert "孙建华" not in html and "党员家庭户1" not in html  # figures, no name


def test_a_grid_leaders_grids_are_those_her_work_covers() -> None:
    nodes = _with_paths([n for n in GRID_NODES if n["community_code"] == "changshan"])
    parties = [p for p in PARTY_ORGANISATIONS if p["community_code"] == "changshan"]
    every_grid = party_households.grids_of(nodes)
    everyone = party_households.by_grid(parties, nodes, every_grid)
    micro = next(n["code"] for n in nodes if n.get("parent_code") == "csh-g04")

    assert every_grid == {f"csh-g{g:02d}" for g in range(1, 11)}
    assert party_households.grids_of(nodes, frozenset({"csh-g04"})) == {"csh-g04"}
    # A root below the grid (one micro-grid) still puts her in that grid's row.
    mine = party_households.grids_of(nodes, frozenset({micro}))
    assert mine == {"csh-g04"}
    assert party_households.by_grid(parties, nodes, mine) == {"csh-g04": everyone["csh-g04"]}
