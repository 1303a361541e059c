"""Recording a joint meeting, without I/O: a scheduled meeting shows a coordinator the forms of
its steps (agenda, attendance, the three kinds of decision, minutes, close) with the choices the
meeting leaves open; a refused step shows the refusal beside the field it names and what was
typed; a closed meeting, or one read by another role, shows no form; the page's read-only parts,
never its forms, follow the meeting's events; the schedule form proposes the rotating chair; and
what each form sends to resources."""

from __future__ import annotations

from html.parser import HTMLParser

from starlette.datastructures import FormData

from console.entrypoints.meeting_pages import STEPS, named, step_body, typed
from console.entrypoints.web import templates, words

MEETING_ID = "0190b2a0-0000-7000-8000-0000000000bb"
PAVILION, BENCH = (
    "0190b2a0-0000-7000-8000-000000000001",
    "0190b2a0-0000-7000-8000-000000000002",
)
OFFER, PROJECT = (
    "0190b2a0-0000-7000-8000-000000000003",
    "0190b2a0-0000-7000-8000-000000000004",
)
UNITS = {"yxl-u01": "永兴路街道办", "yxl-g02": "区建设集团"}


def _need(need_id: str, title: str, suggestions: list) -> dict:
    return {
        "need_id": need_id,
        "title": title,
        "category": "elderly_care",
        "grid_node_code": "yxl-g02",
        "urgency": "normal",
        "affected_count": 12,
        "suggestions": suggestions,
    }


SUGGESTION = {"offer_id": OFFER, "member_unit_code": "yxl-g02", "score": 9, "reasons": []}
MEETING = {
    "id": MEETING_ID,
    "community_code": "yongxinglu",
    "quarter": {"year": 2026, "number": 4},
    "chair_unit_code": "yxl-u01",
    "scheduled_at": "2026-12-15T01:00:00+00:00",
    "invited_department_codes": ["housing"],
    "status": "scheduled",
    "agenda": {
        "feedback": [],
        "needs": [_need(PAVILION, "户外歇脚 <b>", [SUGGESTION]), _need(BENCH, "楼道长椅", [])],
    },
    "units_present": ["yxl-u01"],
    "departments_present": [],
    "decisions": [],
    "minutes": "",
    "closed_at": None,
}


def _render(name: str, lang: str = "zh", **context) -> str:
    return templates.get_template(name).render(
        **words(lang), principal=None, nav=[], path="/", **context
    )


def _page(meeting: dict, lang: str = "zh", may_record: bool = True, **extra) -> str:
    decisions = [
        {**d, "kind": "project" if "title" in d else "decline"} for d in meeting["decisions"]
    ]
    decided = {n for d in decisions for n in d.get("need_ids", [d.get("need_id")])}
    context = {"errors": {}, "error": None, "failed": None, "typed": {}} | extra
    return _render(
        "meeting.html",
        lang,
        meeting=meeting,
        community_name="永兴路社区",
        decisions=decisions,
        titles={d["project_id"]: d["title"] for d in decisions if d["kind"] == "project"},
        needs={n["need_id"]: n["title"] for n in meeting["agenda"]["needs"]},
        units=UNITS,
        departments={"housing": {"code": "housing", "name": "区住建委", "name_en": "Housing"}},
        may_record=may_record and meeting["status"] == "scheduled",
        undecided=[
            (n["need_id"], n["title"])
            for n in meeting["agenda"]["needs"]
            if n["need_id"] not in decided
        ],
        offers=[(OFFER, "区建设集团 · 户外歇脚")],
        invited=[("housing", "区住建委")],
        **context,
    )


def test_a_scheduled_meeting_shows_a_coordinator_each_steps_form_with_its_choices() -> None:
    html = _page(MEETING)
    for step in set(STEPS) - {"responsibility"}:  # no project yet to give one on
        assert f'action="/meetings/{MEETING_ID}/record/{step}"' in html, step
    assert 'data-form="agenda"' in html and "从清单起草议程" in html
    # Attendance: the community's units, those present ticked; the invited department.
    assert 'name="units_present" value="yxl-u01" checked> 永兴路街道办' in html
    assert 'name="units_present" value="yxl-g02"> 区建设集团' in html
    assert 'name="departments_present" value="housing"> 区住建委' in html
    # A project meets the agenda's needs with their suggested offers; escaped titles.
    assert f'name="need_ids" value="{PAVILION}"> 户外歇脚 &lt;b&gt;' in html
    assert f'name="resource_offer_ids" value="{OFFER}">' in html
    assert f'<option value="{BENCH}">楼道长椅</option>' in html  # a need to decline
    # No project decided yet: no responsibility to give.
    assert 'data-form="responsibility"' not in html and "本次会议尚未立项" in html
    assert html.count("csrf_token") == html.count("<form ")


def test_a_decided_project_takes_its_needs_off_the_choices_and_can_be_given_a_holder() -> None:
    project = {"project_id": PROJECT, "title": "连心亭", "need_ids": [PAVILION], "slots": 2}
    project |= {"due_at": "2027-03-31T10:00:00+00:00", "resource_offer_ids": []}
    html = _page({**MEETING, "decisions": [project]})
    assert f'name="need_ids" value="{PAVILION}"' not in html
    assert f'name="need_ids" value="{BENCH}"' in html
    assert f'<option value="{PROJECT}">连心亭</option>' in html
    assert '<option value="yxl-g02">区建设集团</option>' in html


def test_a_refused_step_shows_the_refusal_beside_its_field_and_keeps_what_was_typed() -> None:
    entered = {"title": ["连心亭"], "need_ids": [BENCH], "due_at": [""], "slots": ["2"]}
    html = _page(MEETING, errors={"due_at": "时间格式不正确"}, failed="project", typed=entered)
    assert 'id="project-title" name="title" value="连心亭"' in html
    assert f'name="need_ids" value="{BENCH}" checked>' in html
    assert 'name="due_at" value="" type="date" aria-invalid="true"' in html
    assert 'id="due_at-error"' in html and "时间格式不正确" in html
    assert 'id="project-slots" name="slots" value="2"' in html
    assert html.count("aria-invalid") == 1  # the other forms are not the refused one
    assert '<details class="more" open><summary>立项（满足需求）' in html


def test_a_refusal_to_close_sits_beside_the_field_it_names() -> None:
    html = _page(MEETING, errors={"minutes": "填写有误"}, failed="minutes", typed={})
    assert 'name="minutes" rows="4" aria-invalid="true"' in html
    assert 'id="minutes-error"' in html


def test_a_closed_meeting_and_another_roles_view_are_read_only() -> None:
    closed = {**MEETING, "status": "closed", "closed_at": "2026-12-15T03:00:00+00:00"}
    closed |= {"minutes": "议定两项"}
    for html in (_page(closed), _page(MEETING, may_record=False)):
        assert "<form " not in html.split("<main")[-1]
    assert "已结束" in _page(closed) and "data-minutes>议定两项" in _page(closed)
    assert "会议由社区协调员记录" in _page(MEETING, may_record=False)
    assert "Close the meeting" in _page(MEETING, "en")


VOID = frozenset({"input", "br", "img", "meta", "link", "hr"})  # elements that never close


class LiveParts(HTMLParser):
    """Each live part's id and what it follows, and the form fields found inside one."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: dict[str, str] = {}
        self.fields_inside: list[str] = []
        self._open: list[bool] = []  # per open element: inside a live part

    def handle_starttag(self, tag: str, attrs: list) -> None:
        named = dict(attrs)
        inside = bool(self._open and self._open[-1])
        if "data-live-resources" in named:
            self.parts[named["id"]] = named["data-live-resources"]
            inside = True
        if inside and tag in {"form", "input", "textarea", "select"}:
            self.fields_inside.append(tag)
        if tag not in VOID:
            self._open.append(inside)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._open:
            self._open.pop()


def test_the_read_only_parts_follow_the_meeting_and_no_form_is_swapped() -> None:
    page = LiveParts()
    page.feed(_page(MEETING))
    follows = f"meeting:{MEETING_ID}"
    parts = ("state", "facts", "attendance", "agenda", "decisions", "minutes")
    assert page.parts == {f"meeting-{part}": follows for part in parts}
    assert page.fields_inside == []


def test_the_schedule_form_proposes_the_rotating_chair_and_names_refusals() -> None:
    context = {
        "communities": [("yongxinglu", "永兴路社区")],
        "units": list(UNITS.items()),
        "departments": [("housing", "区住建委")],
    }
    html = _render(
        "meeting_new.html", typed={"chair_unit_code": ["yxl-u01"]}, errors={}, error=None, **context
    )
    assert '<option value="yxl-u01" selected>永兴路街道办</option>' in html
    assert 'name="scheduled_at" value="" type="datetime-local" required="required"' in html
    assert 'name="invited_department_codes" value="housing">' in html
    refused = {"scheduled_at": ["2026-12-15T09:00"], "invited_department_codes": ["housing"]}
    html = _render(
        "meeting_new.html",
        typed=refused,
        errors={"chair_unit_code": "必填"},
        error=None,
        **context,
    )
    assert 'id="chair_unit_code-error"' in html and 'value="2026-12-15T09:00"' in html
    assert 'name="invited_department_codes" value="housing" checked>' in html


def test_what_each_step_sends() -> None:
    form = FormData(
        [
            ("title", " 连心亭 "),
            ("need_ids", PAVILION),
            ("need_ids", BENCH),
            ("due_at", "2027-03-31"),
            ("slots", "2"),
            ("units_present", "yxl-u01"),
            ("units_present", "yxl-g02"),
        ]
    )
    assert step_body("project", form) == {
        "title": "连心亭",
        "need_ids": [PAVILION, BENCH],
        "resource_offer_ids": [],
        "due_at": "2027-03-31T18:00:00+08:00",
        "slots": 2,
    }
    assert step_body("attendance", form) == {
        "units_present": ["yxl-u01", "yxl-g02"],
        "departments_present": [],
    }
    # Blanks go on as typed, for resources to name the field; a blank slot count is one.
    blank = step_body("responsibility", FormData([("due_at", " ")]))
    assert blank == {"project_id": "", "holder_code": "", "task": "", "due_at": ""}
    assert step_body("project", FormData([("slots", "x")]))["slots"] == "x"
    assert step_body("project", FormData())["slots"] == 1
    assert step_body("agenda", form) is None and step_body("close", form) is None
    assert typed(form)["need_ids"] == [PAVILION, BENCH]
    departments = {"housing": {"name": "区住建委", "name_en": "Housing"}, "x": {"name": "某部门"}}
    assert named(departments, "en") == [("housing", "Housing"), ("x", "某部门")]
