"""The deliberation pages' templates, rendered without I/O: an open record shows the forms that
record it, a closed one each item's outcome with its link back, or the three outcome forms while
it is pending; text is escaped; the dashboard card's figures per community; and what the forms
send (`lines`, `local_moment`)."""

from __future__ import annotations

from console.entrypoints.deliberation_pages import OUTCOMES, URGENCIES, lines, local_moment
from console.entrypoints.web import templates, words

NEED_ID, INCIDENT_ID = (
    "0190b2a0-0000-7000-8000-000000000001",
    "0190b2a0-0000-7000-8000-000000000002",
)
BENCH = {
    "id": "0190b2a0-0000-7000-8000-0000000000aa",
    "community_code": "changshan",
    "kind": "bench_meeting",
    "level": "building",
    "grid_node_code": "csh-b05",
    "topic": "5栋楼道自行车堵塞 <script>",
    "held_at": "2026-11-20T11:00:00+00:00",
    "recorded_by": "长山花园社区协调员",
    "incident_ids": [],
    "status": "closed",
    "agenda": ["自行车停放"],
    "households": [f"5-{n}01" for n in range(1, 13)],
    "member_unit_codes": [],
    "mediators": [],
    "minutes": "十二户到会",
    "closed_at": "2026-11-20T12:00:00+00:00",
    "items": [
        {"number": 1, "text": "建车棚", "outcome": "need", "need_id": NEED_ID},
        {"number": 2, "text": "消防检查", "outcome": "incident", "incident_id": INCIDENT_ID},
        {"number": 3, "text": "轮值清理", "outcome": "resolved_locally", "settlement": "每周"},
        {"number": 4, "text": "再议", "outcome": None},
    ],
}


def _render(name: str, lang: str = "zh", **context) -> str:
    return templates.get_template(name).render(
        **words(lang), principal=None, nav=[], path="/", **context
    )


def _page(d: dict, **extra) -> str:
    context = {"errors": {}, "error": None, "failed": None, "units": {}} | extra
    return _render(
        "deliberation.html",
        d=d,
        community_name="长山花园社区",
        may_record=True,
        outcomes=OUTCOMES,
        urgencies=URGENCIES,
        **context,
    )


def test_a_closed_record_shows_each_items_outcome_and_its_link_back() -> None:
    html = _page(BENCH)
    assert "&lt;script&gt;" in html and "<script>" not in html.split("<main")[-1]
    assert f'data-need="{NEED_ID}"' in html and f'href="/incidents/{INCIDENT_ID}"' in html
    assert "每周" in html and "楼栋板凳会" in html and "已定稿" in html
    # Only the pending item has the outcome forms; the closed record no form of its own.
    assert html.count('data-turn="need"') == 1 and 'action="/deliberations/' in html
    assert 'data-form="close"' not in html and 'data-form="item"' not in html


def test_an_open_record_shows_its_forms_and_a_refusal_beside_its_field() -> None:
    opened = {**BENCH, "status": "open", "items": [], "closed_at": None}
    html = _page(opened, errors={"text": "必填"}, failed="items")
    assert 'data-form="attendance"' in html and 'data-form="close"' in html
    assert 'id="text-error"' in html and "必填" in html
    assert "data-turn" not in html


def test_an_open_records_fields_hold_what_it_has_and_name_their_own_refusal() -> None:
    opened = {**BENCH, "status": "open", "items": [], "mediators": ["王", "李"]}
    html = _page(opened, errors={"mediators": "最多 5 项"}, failed="attendance")
    assert 'name="households" rows="4">5-101\n5-201' in html and "每行一户" in html
    assert 'name="member_unit_codes" value="" translate="no">' in html
    assert 'name="mediators" value="王、李" aria-invalid="true"' in html
    assert 'aria-describedby="mediators-error"' in html and 'id="mediators-error"' in html
    assert 'name="text" maxlength="500">' in html  # another step's refusal is not its own
    assert 'name="minutes" rows="3">十二户到会</textarea>' in html


def test_an_outcome_forms_refusal_is_beside_its_own_field_only() -> None:
    html = _page(BENCH, errors={"category": "必填"}, failed="item-4-need")
    need = 'id="item-4-need-category" name="category" value="facilities" translate="no"'
    assert need + ' aria-invalid="true" aria-describedby="category-error">' in html
    assert 'id="item-4-incident-category" name="category" translate="no" placeholder' in html
    assert html.count('id="category-error"') == 1 and html.count("aria-invalid") == 1


def test_the_dashboard_card_counts_per_community() -> None:
    row = {"community_code": "changshan", "held": 3, "need": 1, "incident": 1}
    html = _render(
        "_deliberation_card.html",
        rows=[row | {"resolved_locally": 2, "pending": 0}],
        outcomes=OUTCOMES,
    )
    assert 'data-deliberations="changshan"' in html and "本月议事" in html
    assert 'data-figure="held">3<' in html and 'data-figure="resolved_locally">2<' in html
    assert "Deliberations this month" in _render(
        "_deliberation_card.html", "en", rows=[], outcomes=OUTCOMES
    )


def test_the_forms_entries_and_china_time() -> None:
    assert lines("5-101\n5-201、 5-301,\n\n") == ["5-101", "5-201", "5-301"]
    assert local_moment("2026-11-20T19:30") == "2026-11-20T19:30:00+08:00"
    assert local_moment("not a time") == "not a time"
