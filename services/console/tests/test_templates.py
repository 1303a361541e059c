"""The console's templates, rendered without I/O."""

from __future__ import annotations

import re
from pathlib import Path

import console
from console.domain.names import Names
from console.entrypoints.web import templates, words

INCIDENT = {
    "id": "6d0f9d2e-0000-4000-8000-000000000001",
    "reported_at": "2026-11-21T22:05:00Z",
    "community_code": "taipingjie",
    "micro_grid_code": "tpj-g01-m01",
    "category": "power_supply",
    "urgency": "utilities",
    "description": "变压器故障 <script>alert(1)</script>",
    "status": "escalated",
}


# What the incident list's page is given besides its incidents: no filters, one page.
LIST = {
    "found": {},
    "total": 1,
    "page": 1,
    "pages": 1,
    "choices": {"categories": [], "grids": [], "departments": []},
    "query": "",
    "is_department": False,
}


def _render(name: str, lang: str = "zh", names: Names | None = None, **context) -> str:
    return templates.get_template(name).render(
        **words(lang, names), principal=None, nav=[], path="/", **context
    )


def test_each_incident_is_a_row_with_its_status_in_chinese_and_its_text_escaped() -> None:
    html = _render("incidents.html", incidents=[INCIDENT], **LIST)
    assert f'data-incident-id="{INCIDENT["id"]}"' in html
    assert "已吹哨" in html and "较急" in html and "供电" in html and "2026-11-22 06:05" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_an_empty_list_says_so_in_the_chosen_language() -> None:
    assert "暂无事件" in _render("incidents.html", incidents=[], **LIST)
    assert "No incidents yet" in _render("incidents.html", "en", incidents=[], **LIST)


def test_the_list_shows_ticket_numbers_pages_and_exports_of_the_same_filters() -> None:
    numbered = {**INCIDENT, "ticket_no": "TPJ-20261122-0001"}
    found = {"q": "路灯", "category": "power_supply"}
    query = "q=%E8%B7%AF%E7%81%AF&category=power_supply"
    html = _render(
        "incidents.html",
        incidents=[numbered],
        **{**LIST, "found": found, "query": query, "total": 45, "page": 2, "pages": 3},
    )
    assert "TPJ-20261122-0001" in html and "共 45 件" in html and "第 2 / 3 页" in html
    assert f'href="/incidents/export.xlsx?{query.replace("&", "&amp;")}"' in html
    assert f'href="/incidents?{query.replace("&", "&amp;")}&amp;page=3"' in html
    assert f'href="/incidents?{query.replace("&", "&amp;")}&amp;page=1"' in html


def test_an_error_from_the_api_sits_beside_its_field() -> None:
    html = _render(
        "inbox.html",
        micro_grids=[{"code": "tpj-g01-m01", "name": "第1微网格"}],
        categories=["power_supply"],
        urgencies=["general"],
        to_handle=[],
        in_hand=[],
        to_verify=[],
        form={"description": "停电", "affected_households": "-3"},
        errors={"affected_households": "Input should be greater than or equal to 0"},
        form_error=None,
    )
    assert 'id="affected_households-error"' in html
    assert 'aria-invalid="true" aria-describedby="affected_households-error"' in html
    assert ">停电</textarea>" in html and 'value="-3"' in html


def _incident_page(incident: dict, **more) -> str:
    context = {
        "incident": incident,
        "may_report": True,
        "may_escalate": True,
        "departments": [
            {"code": "power_supply", "name": "供电公司", "name_en": "Power"},
            {"code": "property", "name": "物业", "name_en": "Property"},
        ],
        "department_names": {},
        "suggested": {"power_supply"},
        "suggested_lead": "power_supply",
        "limits": {"acknowledge_within_minutes": 15, "resolve_within_hours": 2.0},
        "ratings": ["satisfied"],
        "jaeger": None,
        "is_operator": False,
        "action": None,
        "form": {},
        "errors": {},
        "form_error": None,
        **more,
    }
    return _render("_incident.html", **context)


def test_a_reported_incident_offers_the_suggested_escalation_with_its_time_limits() -> None:
    earlier = {**INCIDENT, "id": "earlier-1", "status": "reported"}
    html = _incident_page(
        {**INCIDENT, "status": "reported", "assignments": [], "timeline": []},
        duplicates=[earlier],
    )
    assert f'action="/incidents/{INCIDENT["id"]}/merge-into/earlier-1"' in html
    assert 'value="power_supply" checked' in html and 'value="property" checked' not in html
    assert "接单时限: 15 分钟" in html and 'data-action="triage"' in html
    assert 'data-action="cancellation"' in html and 'data-action="verification"' not in html


def test_a_returned_assignment_can_be_rerouted_and_an_error_sits_beside_it() -> None:
    returned = {
        "id": "a-1",
        "department_code": "power_supply",
        "lead": True,
        "status": "returned",
        "return_reason": "不归我们管",
        "result": "",
        "breaches": [],
        "left": None,
        "acknowledged_at": None,
    }
    html = _incident_page(
        {**INCIDENT, "assignments": [returned], "timeline": []},
        action="reroute-a-1",
        errors={"department_code": "department property does not handle power_supply"},
    )
    assert 'action="/incidents/' in html and "/assignments/a-1/reroute" in html
    assert "不归我们管" in html and "does not handle power_supply" in html
    assert 'aria-describedby="department_code-error"' in html


def test_a_coordinator_shares_with_partners_not_yet_shared_and_an_error_names_the_field() -> None:
    partners = [{"code": "changshan", "name": "长山花园社区"}, {"code": "longze", "name": "龙泽"}]
    html = _incident_page(
        {**INCIDENT, "shared_with": ["longze"], "reporter": "王芳", "assignments": []},
        may_coordinate=True,
        partners=partners,
        names=Names(communities={p["code"]: p["name"] for p in partners}),
        action="sharing",
        errors={"community_codes": "not in an alliance with taipingjie: x"},
        form={"community_codes": ["changshan"]},
    )
    assert 'data-shared-with="longze"' in html and "龙泽</dd>" in html
    assert 'name="community_codes" value="changshan" checked' in html
    assert 'value="longze"' not in html  # shared already: not offered again
    assert 'id="community_codes-error"' in html and "not in an alliance" in html
    assert 'data-action="anonymisation"' in html


def test_an_anonymous_reporter_is_named_so_and_cannot_be_anonymised_again() -> None:
    html = _incident_page(
        {**INCIDENT, "reporter": "anonymous", "assignments": []}, may_coordinate=True
    )
    assert "<dd>匿名</dd>" in html and 'data-action="anonymisation"' not in html
    assert 'data-action="sharing"' not in html  # no partners known: nothing to offer


def test_a_department_sees_the_steps_for_its_own_assignment_only() -> None:
    def assignment(code: str, status: str) -> dict:
        return {
            "id": f"a-{code}",
            "department_code": code,
            "lead": code == "power_supply",
            "status": status,
            "result": "",
            "breaches": [],
            "left": None,
            "acknowledged_at": None,
        }

    theirs = assignment("property", "dispatched")

    def page_with(status: str) -> str:
        return _incident_page(
            {
                **INCIDENT,
                "assignments": [assignment("power_supply", status), theirs],
                "timeline": [],
            },
            may_report=False,
            my_department="power_supply",
            action="resolution-a-power_supply",
            errors={"result": "String should have at least 1 character"},
        )

    html = page_with("dispatched")
    assert 'data-department-steps="a-power_supply"' in html
    assert 'data-department-steps="a-property"' not in html
    assert "/assignments/a-power_supply/acknowledgement" in html and "签收" in html
    # Issue #15, defect 9: no result before the assignment is signed for.
    assert 'data-action="resolution"' not in html and 'data-action="start"' not in html
    html = page_with("acknowledged")
    assert 'data-action="resolution"' in html and 'id="result-error"' in html


def test_every_post_form_carries_its_csrf_field() -> None:
    """Without JavaScript a POST form sends only what it renders: the CSRF middleware refuses a
    form without the field. The rating page alone has no session, hence no token to carry."""
    folder = Path(console.__file__).parent / "templates"
    tag = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.I | re.S)
    lacking = [
        f"{path.name}: {m.group(0)[:60]}"
        for path in sorted(folder.glob("*.html"))
        if path.name != "rate.html"
        for m in tag.finditer(path.read_text())
        if "csrf_field()" not in m.group(1)
    ]
    assert lacking == []
