"""A joint meeting recorded through the console's forms, against the whole platform: each step's
refusal comes back beside the field resources names (closing without attendance, beside the
attendance), the three kinds of decision are carried out when the meeting closes, a closed
meeting takes no more, and a liaison, who may read meetings, may record none."""

from __future__ import annotations

import re

import pytest

from lianxin.demo.lists import PAVILION_NEED
from tests.conftest import Platform

pytestmark = pytest.mark.e2e

NEEDS = [
    PAVILION_NEED | {"community_code": "taipingjie", "grid_node_code": "tpj-g01", "title": title}
    for title in ("太平街口缺少休息座椅", "夜市摊位需要遮雨棚")
]


def _needs(plat: Platform) -> list[str]:
    with plat.http("resources") as resources:
        made = [resources.post("/needs", json=need) for need in NEEDS]
    assert [m.status_code for m in made] == [201, 201], [m.text for m in made]
    return [m.json()["id"] for m in made]


def test_a_meeting_recorded_through_the_console_step_by_step(demo_platform: Platform) -> None:
    plat = demo_platform
    seats, canopy = _needs(plat)
    console = plat.console_as("tpj-coordinator")
    form = {"community_code": "taipingjie", "chair_unit_code": "", "scheduled_at": ""}
    blank = console.post("/meetings/new", data=form | {"invited_department_codes": "housing"})
    assert blank.status_code == 422 and 'id="chair_unit_code-error"' in blank.text
    assert 'value="housing" checked>' in blank.text  # what was ticked stays ticked
    made = console.post(
        "/meetings/new",
        data=form | {"chair_unit_code": "tpj-u01", "scheduled_at": "2026-12-20T09:00"},
    )
    assert made.status_code == 303, made.text
    meeting = made.headers["location"]
    record = f"{meeting}/record"

    # Closing is refused for the minutes, then for who came: each beside its own form.
    early = console.post(f"{record}/close")
    assert early.status_code == 422 and 'id="minutes-error"' in early.text
    minutes = {"minutes": "议定一项，不予办理一项。"}
    assert console.post(f"{record}/minutes", data=minutes).status_code == 303
    early = console.post(f"{record}/close")
    assert early.status_code == 422 and 'id="units_present-error"' in early.text
    assert re.search(r'<details class="more" open><summary>记录到会', early.text)
    assert console.post(f"{record}/agenda").status_code == 303
    page = console.get(meeting).text
    assert f'data-agenda-need="{seats}"' in page and f'data-agenda-need="{canopy}"' in page

    present = {"units_present": ["tpj-u01", "tpj-u07"]}
    project = {"title": "街口休息座椅", "need_ids": seats, "due_at": "2027-03-31", "slots": "2"}
    for step, body in [
        ("attendance", present),
        ("project", project),
        ("decline", {"need_id": canopy, "reason": "夜市由市场监管统一安排"}),
    ]:
        answer = console.post(f"{record}/{step}", data=body)
        assert answer.status_code == 303, (step, answer.text)
    decided = re.search(
        r'<option value="([0-9a-f-]{36})">街口休息座椅</option>', console.get(meeting).text
    )
    assert decided, "the project decided is offered for a responsibility"
    given = {"project_id": decided[1], "holder_code": "tpj-u07", "task": "采购座椅"}
    refused = console.post(f"{record}/responsibility", data=given | {"due_at": ""})
    assert refused.status_code == 422 and 'id="due_at-error"' in refused.text
    assert 'name="task" value="采购座椅"' in refused.text
    early = console.post(f"{record}/responsibility", data=given | {"due_at": "2026-12-01"})
    assert (
        early.status_code == 422 and "应晚于会议时间" in early.text
    )  # resources' rule, in Chinese
    answer = console.post(f"{record}/responsibility", data=given | {"due_at": "2027-01-31"})
    assert answer.status_code == 303, answer.text

    liaison = plat.console_as("tpj-liaison")
    assert liaison.get("/meetings/new").status_code == 403
    assert liaison.post(f"{record}/minutes", data={"minutes": "改"}).status_code == 403
    read = liaison.get(meeting)
    assert read.status_code == 200 and "<form " not in read.text.split("<main")[-1]

    assert console.post(f"{record}/close").status_code == 303
    closed = console.get(meeting).text
    assert 'data-status="closed"' in closed and "<form " not in closed.split("<main")[-1]
    late = console.post(f"{record}/minutes", data={"minutes": "再改"})
    assert late.status_code == 409 and "此操作无法进行" in late.text  # in Chinese, not English
    with plat.http("resources") as resources:
        needs = {n["id"]: n for n in resources.get("/needs?community_code=taipingjie").json()}
    assert needs[seats]["project_id"] and needs[canopy]["status"] == "declined"
