"""The resources pages without I/O: their figures, and their templates rendered (the wish board
never shows a resident; a lost claim says who won; each list in Chinese and English)."""

from __future__ import annotations

from datetime import UTC, datetime

from console.domain import exports, list_exports, lists
from console.domain.i18n import translator
from console.domain.names import Names
from console.entrypoints.list_search import Asked
from console.entrypoints.web import templates, words
from console.entrypoints.wish_pages import mine
from lianxin.auth import Principal, Role, Scope

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _project(status: str = "under_way", due: str = "2027-03-31T10:00:00+00:00", **more) -> dict:
    return {"status": status, "due_at": due, "responsibilities": [], **more}


def test_the_fulfilment_rate_of_several_communities_is_a_share_of_all_their_wishes() -> None:
    rows = [{"collected": 163, "fulfilled": 139}, {"collected": 42, "fulfilled": 0}]
    assert lists.fulfilment(rows[:1]) == {"collected": 163, "fulfilled": 139, "percent": "85.3"}
    assert lists.fulfilment(rows)["percent"] == "67.8"  # 139 / 205, not (85.3 + 0) / 2
    assert lists.fulfilment([])["percent"] is None
    assert lists.percent(1, 8) == "12.5" and lists.percent(1, 16) == "6.3"  # half up


def test_periods_are_counted_in_china_time() -> None:
    new_year = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 1 January, 01:00 in Beijing
    assert lists.year_period(new_year)[0] == "2027"
    assert lists.quarter_of(new_year) == "2027-Q1"
    assert lists.recent_quarters(NOW) == ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1"]
    assert lists.recent_quarters(new_year, 2) == ["2027-Q1", "2026-Q4"]


def test_projects_are_on_time_until_they_or_a_responsibility_run_late() -> None:
    late_task = {"due_at": "2026-11-01T00:00:00+00:00", "done_at": None}
    done_task = {"due_at": "2026-11-01T00:00:00+00:00", "done_at": "2026-10-30T00:00:00+00:00"}
    assert lists.project_state(_project(status="open"), NOW) == "not_claimed"
    assert lists.project_state(_project(responsibilities=[done_task]), NOW) == "on_track"
    assert lists.project_state(_project(responsibilities=[late_task]), NOW) == "overdue"
    assert lists.project_state(_project(due="2026-11-01T00:00:00+00:00"), NOW) == "overdue"
    finished = _project(status="finished", finished_at="2027-04-02T00:00:00+00:00")
    assert lists.project_state(finished, NOW) == "finished_late"
    counts = lists.project_counts(
        [_project(), _project(status="open"), _project(responsibilities=[late_task])], NOW
    )
    assert counts == {
        "claimed": 2,
        "on_time": 1,
        "overdue": 1,
        "not_claimed": 1,
        "percent": "50.0",
    }
    assert lists.responsibility_state(late_task, NOW) == "overdue"
    assert lists.responsibility_state(done_task, NOW) == "done"


def test_resources_english_phrases_are_said_in_the_pages_language_with_units_named() -> None:
    units = {"yxl-g02": "共建02", "yxl-g05": "共建05"}
    detail = "due 2027-03-31; claimed by yxl-g02, yxl-g05"
    assert lists.in_words(detail, "zh", units) == "期限 2027-03-31; 认领: 共建02、共建05"
    assert lists.in_words(detail, "en", units) == "due 2027-03-31; claimed by 共建02, 共建05"
    assert lists.in_words("yxl-g05, done 2026-12-01", "zh", units) == "共建05, 完成于 2026-12-01"
    capped = "wishes 4 claimed, 2 fulfilled (capped): +10"
    assert lists.in_words(capped, "zh", units) == "微心愿认领 4 个、完成 2 个 (封顶): +10"
    assert lists.in_words("rated 4.5 by 2: +8", "zh", units) == "居民评价 4.5 分 (2 户): +8"
    # What a person typed (a decline's reason) stays as it is.
    assert lists.in_words("不在职责内", "zh", units) == "不在职责内"


def test_open_needs_are_those_not_met_nor_declined() -> None:
    needs = [{"status": s} for s in ("open", "matched", "in_project", "met", "declined")]
    assert lists.need_counts(needs) == {"open": 3, "undecided": 2}


def test_a_claimant_knows_its_own_wishes() -> None:
    liaison = Principal("l", Role.MEMBER_UNIT_LIAISON, Scope(member_unit="tpj-u01"))
    volunteer = Principal("tpj-volunteer", Role.VOLUNTEER, Scope())
    unit_wish = {"claimant_kind": "member_unit", "claimant_id": "tpj-u01"}
    assert mine(liaison, unit_wish) and not mine(volunteer, unit_wish)
    assert mine(volunteer, {"claimant_kind": "party_member", "claimant_id": "tpj-volunteer"})
    assert not mine(liaison, {"claimant_kind": "member_unit", "claimant_id": "tpj-u02"})


def _render(name: str, lang: str = "zh", **context) -> str:
    return templates.get_template(name).render(
        **words(lang), principal=None, nav=[], path="/", **context
    )


WISH = {
    "id": "6d0f9d2e-0000-4000-8000-000000000009",
    "community_code": "taipingjie",
    "grid_node_code": "tpj-g01-m01",
    "title": "轮椅一台",
    "description": "腿脚不便",
    "status": "published",
    "published_at": "2026-11-20T02:00:00+00:00",
    "claimant_kind": None,
    "claimant_id": None,
}


def _board(**more) -> str:
    context = {
        "community": "taipingjie",
        "communities": [{"code": "taipingjie", "name": "太平街社区"}],
        "waiting": [WISH],
        "under_way": [],
        "recorded": [],
        "raised": {},
        "rate": {"collected": 20, "fulfilled": 17, "percent": "85.0"},
        "period": "2026",
        "units": {"tpj-u01": "敦仁派出所"},
        "nodes": [],
        "node_names": {},
        "grid": False,
        "may_claim": True,
        "mine": set(),
        "unavailable": False,
        "notice": None,
        "form": {},
        "errors": {},
        "form_error": None,
        "asked": Asked({}),
        "total": 1,
        "choices": [],
        **more,
    }
    return _render("wishes.html", **context)


def test_the_wish_board_offers_one_button_to_claim_and_shows_the_rate() -> None:
    html = _board()
    assert f'action="/wishes/{WISH["id"]}/claim#' in html and "我来认领" in html
    assert 'data-fulfilled="17" data-collected="20"' in html and "85.0%" in html
    # Even handed a resident's name and contact, the board does not show them.
    leaked = _board(waiting=[{**WISH, "resident_name": "李奶奶", "resident_contact": "139"}])
    assert "李奶奶" not in leaked and "139" not in leaked
    assert "登记居民心愿" not in html  # the record form is the grid's


def test_a_lost_claim_says_who_has_the_wish() -> None:
    taken = {**WISH, "status": "claimed", "claimant_kind": "member_unit", "claimant_id": "tpj-u01"}
    notice = {"wish_id": WISH["id"], "step": "claim", "conflict": True, "detail": None}
    html = _board(waiting=[], under_way=[taken], notice={**notice, "errors": {}})
    assert 'data-notice="conflict"' in html and "手慢了" in html and "敦仁派出所" in html
    assert f'action="/wishes/{WISH["id"]}/claim#' not in html
    english = _board(lang="en", waiting=[], under_way=[taken], notice={**notice, "errors": {}})
    assert "Too late" in english


def test_each_list_renders_in_both_languages() -> None:
    rows = {
        "needs": [
            {
                "id": "n1",
                "recorded_at": "2026-11-01T00:00:00+00:00",
                "grid_node_code": "g",
                "category": "elderly_care",
                "title": "歇脚处",
                "description": "",
                "affected": "老人",
                "affected_count": 2249,
                "urgency": "normal",
                "status": "in_project",
                "outcome": "",
                "project_id": None,
            }
        ],
        "projects": [
            {
                "id": "p1",
                "title": "连心亭",
                "claims": [{"member_unit_code": "tpj-u01"}],
                "slots_left": 0,
                "due_at": "2027-03-31T10:00:00+00:00",
                "percent_done": 40,
                "state": "on_track",
            }
        ],
    }
    for kind, found in rows.items():
        for lang, word in (
            ("zh", "按期推进" if kind == "projects" else "已立项"),
            ("en", "On track" if kind == "projects" else "In a project"),
        ):
            html = _render(
                "lists.html",
                lang,
                kind=kind,
                kinds=("needs", "projects"),
                rows=found,
                asked=Asked({}),
                total=len(found),
                choices=[],
                community=None,
                communities=[],
                units={},
            )
            assert word in html, (kind, lang)


def test_a_list_search_keeps_the_filters_in_its_page_and_export_links() -> None:
    asked = Asked({"q": "扶手", "status": "open", "community": "taipingjie"}, page=2)
    html = _render(
        "lists.html",
        kind="needs",
        kinds=("needs",),
        rows=[],
        asked=asked,
        total=45,  # three pages of 20
        choices=[{"name": "status", "label": "incident.status", "options": [("open", "待议定")]}],
        days="ls.from.recorded",
        community="taipingjie",
        communities=[{"code": "taipingjie", "name": "太平街社区"}],
        units={},
    )
    assert ">筛选</button>" in html and "提交" not in html
    assert '<option value="open" selected>待议定</option>' in html
    assert 'type="hidden" name="community" value="taipingjie"' in html  # one community: kept
    assert 'data-total="45"' in html and "共 45 条" in html and "第 2 / 3 页" in html
    query = "q=%E6%89%B6%E6%89%8B&amp;status=open&amp;community=taipingjie"
    assert f'href="/lists/needs/export.csv?{query}"' in html
    assert f'href="/lists/needs?{query}&amp;page=3" rel="next"' in html
    assert f'href="/lists/needs?{query}&amp;page=1" rel="prev"' in html


def test_a_bad_day_is_left_out_of_the_services_query() -> None:
    asked = Asked({"from": "29/11/2026", "to": "2026-11-30", "community": "taipingjie"})
    assert asked.api(withdrawn="false") == {
        "to": "2026-11-30",
        "community_code": "taipingjie",
        "withdrawn": "false",
    }


def test_an_export_has_the_lists_columns_with_names_not_codes() -> None:
    names = Names(communities={"taipingjie": "太平街社区"}, grid_nodes={"g": "第一网格"})
    words_zh = list_exports.Words(translator("zh"), names, {"tpj-u01": "敦仁派出所"})
    need = {
        "recorded_at": "2026-11-01T00:00:00+00:00",
        "community_code": "taipingjie",
        "grid_node_code": "g",
        "category": "elderly_care",
        "title": "歇脚处",
        "description": "",
        "affected": "老人",
        "affected_count": 12,
        "urgency": "normal",
        "status": "open",
    }
    header, row = list_exports.table("needs", [need], words_zh)
    assert header[0] == "登记时间" and header[-1] == "状态"
    assert row[:3] == ["2026-11-01", "太平街社区", "第一网格"] and row[-1] == "待议定"
    assert "taipingjie" not in row and "open" not in row
    sheet = exports.as_xlsx([header, row], "需求清单")
    assert sheet[:2] == b"PK"  # a workbook, whatever the number of columns
