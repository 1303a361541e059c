"""The coordinators' planning forms (activities, shifts and their call-off, the shop's goods and
their retirement), rendered without I/O: shown to coordinators only, volunteers' refusal beside
the field it names in Chinese (English on an English page) with what was typed kept; what the
forms send; a 403 or 404 is the page's own."""

from __future__ import annotations

import pytest

from console.adapters.services import Answer
from console.entrypoints.list_search import Asked
from console.entrypoints.volunteer_plan_pages import moment, number
from console.entrypoints.volunteer_shop_pages import DONOR_KINDS
from console.entrypoints.volunteering_web import refused
from console.entrypoints.web import PageError, templates, words

TEAM = {"id": "t-1", "name": "红马甲家电维修队"}
KINDS = [("repair", "便民维修"), ("patrol", "巡逻")]
GRIDS = [("csh-g01", "第一网格"), ("csh-g02", "第二网格")]
ACTIVITY = {
    "id": "a-1",
    "community_code": "changshan",
    "node_code": "csh-g01",
    "kind": "repair",
    "title": "红马甲便民服务日",
    "team_id": "t-1",
    "emergency": False,
}
ITEM = {
    "id": "i-1",
    "community_code": "changshan",
    "name": "洗衣液",
    "donor_kind": "member_unit",
    "donor": "团山街道共建单位",
    "price": 80,
    "stock": 50,
}


def _render(name: str, lang: str = "zh", **context) -> str:
    return templates.get_template(name).render(
        **words(lang), principal=None, nav=[], path="/", **context
    )


def _activities(lang: str = "zh", **extra) -> str:
    return _render(
        "volunteering_activities.html",
        lang,
        community="changshan",
        communities=["changshan"],
        asked=Asked(found={"community": "changshan"}, page=1),
        total=0,
        choices=[],
        activities=[],
        teams={"t-1": TEAM},
        kinds=KINDS,
        grids=GRIDS,
        **extra,
    )


def _activity(**extra) -> str:
    context = {"shifts": [], "me": None, "is_volunteer": False, "error": None} | extra
    return _render("volunteering_activity.html", activity=ACTIVITY, team=TEAM, **context)


def _shop(**extra) -> str:
    context = {"coordinator": True, "me": None, "book": None, "error": None} | extra
    return _render(
        "volunteering_shop.html",
        community="changshan",
        communities=["changshan"],
        items=[ITEM],
        item_names={},
        redemptions=[],
        volunteer_names={},
        donor_kinds=DONOR_KINDS,
        **context,
    )


def test_only_coordinators_see_the_forms_that_plan() -> None:
    coordinator = _activities(may_plan=True)
    assert 'data-action="activity"' in coordinator and "新建志愿活动" in coordinator
    assert 'name="community_code" value="changshan"' in coordinator
    assert '<option value="t-1">红马甲家电维修队</option>' in coordinator
    assert '<option value="csh-g02">第二网格</option>' in coordinator
    assert " open>" not in coordinator  # folded until opened
    assert 'data-action="activity"' not in _activities(may_plan=False)
    english = _activities("en", may_plan=True)
    assert "<summary>Plan an activity</summary>" in english and "Emergency (points" in english
    assert 'action="/volunteering/activities/a-1/shifts"' in _activity(may_plan=True)
    assert "/shifts" not in _activity(may_plan=False)
    shop = _shop()
    assert 'action="/volunteering/shop/items"' in shop and "上架物品" in shop
    assert 'action="/volunteering/shop/items/i-1/stock"' in shop and "居民捐赠" in shop
    volunteer = _shop(coordinator=False, me={"id": "v-1"})
    assert '/shop/items"' not in volunteer and "/stock" not in volunteer


def test_a_refused_activity_comes_back_open_with_its_error_beside_the_field() -> None:
    typed = {"title": "", "kind": "patrol", "node_code": "csh-g02", "team_id": "t-1"}
    html = _activities(
        may_plan=True,
        action="activity",
        form=typed | {"emergency": "on"},
        errors={"title": "至少 1 个字"},
        form_error=None,
    )
    assert 'data-action="activity" open>' in html
    assert 'name="title" required value="" aria-invalid="true"' in html
    assert 'id="title-error" role="alert">至少 1 个字' in html
    assert '<option value="patrol" selected>' in html and '"csh-g02" selected>' in html
    assert '<option value="t-1" selected>' in html and 'name="emergency" checked' in html


def test_a_refused_shift_keeps_its_times_and_its_error_sits_beside_the_end() -> None:
    typed = {"starts_at": "2026-12-05T09:00", "ends_at": "2026-12-05T08:00", "place": "北门"}
    html = _activity(
        may_plan=True,
        action="shift",
        form=typed | {"places": "3"},
        errors={"ends_at": "应晚于开始时间"},
        form_error=None,
    )
    assert 'type="datetime-local" required value="2026-12-05T09:00">' in html
    assert 'value="2026-12-05T08:00" aria-invalid="true" aria-describedby="ends_at-error"' in html
    assert "应晚于开始时间" in html and 'value="北门"' in html and 'value="3"' in html
    assert 'min="1"' in html


def test_a_refused_restock_is_the_items_own_and_a_refused_good_keeps_what_was_typed() -> None:
    restock = _shop(action="restock-i-1", form={"added": "0"}, errors={"added": "应大于 0"})
    assert 'data-action="restock-i-1" open>' in restock and 'id="added-error"' in restock
    assert 'data-action="good" open' not in restock
    typed = {"name": "大米", "donor_kind": "firm", "donor": "长山超市", "price": "x", "stock": "5"}
    good = _shop(action="good", form=typed, errors={"price": "应为整数"}, form_error="重复")
    assert 'data-action="good" open>' in good and '<p class="error" role="alert">重复' in good
    assert 'value="大米"' in good and '<option value="firm" selected>' in good
    assert 'id="price-error" role="alert">应为整数' in good and 'value="x"' in good


def test_volunteers_refusal_is_worded_in_chinese_beside_its_field() -> None:
    late = "a shift ends after it starts"
    problem = {
        "title": "Unprocessable Content",
        "detail": late,
        "errors": [
            {"field": "ends_at", "detail": late, "type": "ends_before_start"},
            {"field": "community_code", "detail": "no such community", "type": "missing"},
        ],
    }
    shown = refused(Answer(422, problem), "zh", {"ends_at", "starts_at"})
    assert shown["status_code"] == 422 and shown["errors"] == {"ends_at": "应晚于开始时间"}
    assert shown["form_error"] == "community_code: 必填"
    english = refused(Answer(422, problem), "en", {"ends_at", "community_code"})
    assert english["errors"]["ends_at"] == "a shift ends after it starts"
    assert refused(Answer(409, {"detail": "conflict"}), "zh", set())["form_error"] == "conflict"
    assert refused(Answer(502, None), "zh", set())["status_code"] == 503


@pytest.mark.parametrize(("status", "message"), [(403, "forbidden"), (404, "not_found")])
def test_a_403_or_404_from_volunteers_is_the_pages_own(status: int, message: str) -> None:
    with pytest.raises(PageError) as page:
        refused(Answer(status, {"detail": "only a coordinator of changshan may do this"}), "zh", ())
    assert (page.value.status, page.value.message_id) == (status, message)


def test_what_the_forms_send() -> None:
    assert number(" 12 ") == 12 and number("twelve") == "twelve" and number("-1") == -1
    assert moment("2026-12-05T09:00") == "2026-12-05T09:00:00+08:00" and moment(" ") == ""


def _shift(id: str, **extra) -> dict:
    """A shift as the activity page shows it (`_shift_view`): one to come unless told."""
    return {
        "id": id,
        "starts_at": "2026-12-05T01:00:00+00:00",
        "ends_at": "2026-12-05T03:00:00+00:00",
        "place": "北门",
        "places": 3,
        "places_open": 3,
        "status": None,
        "code": "482913",
        "sign_ups": [],
        "started": False,
        "check_in_open": False,
        "ended": False,
        "called_off_at": None,
        "called_off_reason": None,
    } | extra


def test_a_shift_to_come_has_its_own_call_off_form_for_coordinators_only() -> None:
    shifts = [
        _shift("s-1"),
        _shift("s-2", started=True),
        _shift("s-3", called_off_at="2026-12-04T01:00:00+00:00", called_off_reason="暴雪预警"),
    ]
    html = _activity(may_plan=True, shifts=shifts)
    assert 'action="/volunteering/activities/a-1/shifts/s-1/cancellation"' in html
    assert "s-2/cancellation" not in html and "s-3/cancellation" not in html
    assert "班次已取消: 暴雪预警" in html
    assert "/cancellation" not in _activity(may_plan=False, shifts=shifts)
    # Refused (the shift started meanwhile): open, worded in Chinese beside its reason.
    late = {
        "detail": "the shift has started: it can no longer be called off",
        "errors": [{"field": "reason", "detail": "…", "type": "shift_started"}],
    }
    shown = refused(Answer(409, late), "zh", {"reason"})
    assert shown["errors"] == {"reason": "班次已开始, 不能再取消"}
    again = _activity(
        may_plan=True, shifts=shifts, action="call-off-s-1", form={"reason": "下雪"}, **shown
    )
    assert 'data-action="call-off-s-1" open>' in again and 'value="下雪"' in again
    assert 'id="reason-error" role="alert">班次已开始, 不能再取消' in again


def test_coordinators_take_a_good_off_the_shelf_from_its_own_fold() -> None:
    shop = _shop()
    assert 'data-action="retire-i-1"' in shop and "确认下架" in shop
    assert 'action="/volunteering/shop/items/i-1/retirement"' in shop
    assert "/retirement" not in _shop(coordinator=False, me={"id": "v-1"})
    # Taken off already (by another coordinator meanwhile): said above its fold, in Chinese.
    gone = {"detail": "洗衣液 was taken off the shelf"}
    gone["errors"] = [{"field": "item_id", "detail": gone["detail"], "type": "item_retired"}]
    assert refused(Answer(409, gone), "zh", set())["form_error"] == "item_id: 该物品已下架"
