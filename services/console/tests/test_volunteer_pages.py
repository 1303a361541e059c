"""The volunteers' pages rendered without I/O: what each role is shown, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

from console.entrypoints.list_search import Asked
from console.entrypoints.volunteer_board_pages import periods
from console.entrypoints.volunteer_service_pages import _shift_view
from console.entrypoints.web import templates, words

ME = {"id": "v-1", "name": "耿尚彬", "community_code": "changshan"}
SHIFT = {
    "id": "s-1",
    "activity_id": "a-1",
    "community_code": "changshan",
    "kind": "repair",
    "starts_at": "2026-11-28T01:00:00+00:00",
    "ends_at": "2026-11-28T03:30:00+00:00",
    "place": "党群服务中心",
    "places": 4,
    "places_open": 3,
    "team_id": "t-1",
    "code": None,
    "sign_ups": [
        {
            "volunteer_id": "v-1",
            "status": "signed_up",
            "signed_up_at": "2026-11-27T01:00:00+00:00",
            "checked_in_at": None,
            "checked_out_at": None,
            "hours": "0",
            "name": None,
        }
    ],
}
ACTIVITY = {
    "id": "a-1",
    "community_code": "changshan",
    "node_code": "csh-g01",
    "kind": "repair",
    "title": "红马甲便民服务日 <b>",
    "team_id": "t-1",
    "emergency": False,
}


def _render(name: str, lang: str = "zh", **context) -> str:
    return templates.get_template(name).render(
        **words(lang), principal=None, nav=[], path="/", **context
    )


def test_the_periods_offered_are_this_years_and_the_ones_before() -> None:
    # 2027-01-01 07:00 in Shanghai is still 2026-12-31 in UTC: the periods are China's.
    now = datetime(2026, 12, 31, 23, tzinfo=UTC)
    assert periods(now) == ["2027", "2027-Q1", "2027-01", "2026-12", "2026-Q4", "2026"]


def test_a_volunteer_sees_her_sign_up_and_no_roster_a_leader_the_roster_and_the_code() -> None:
    before = datetime(2026, 11, 27, 12, tzinfo=UTC)
    mine = _shift_view(SHIFT, before, SHIFT["sign_ups"][0])
    html = _render(
        "volunteering_activity.html",
        activity=ACTIVITY,
        shifts=[mine],
        team={"name": "红马甲家电维修队"},
        me=ME,
        is_volunteer=True,
        error=None,
    )
    assert 'data-attendance="signed_up"' in html and "取消报名" in html
    assert "data-code" not in html and "table" not in html
    assert "&lt;b&gt;" in html  # the activity's title is escaped

    during = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
    rostered = {
        **SHIFT,
        "code": "042917",
        "sign_ups": [{**SHIFT["sign_ups"][0], "name": "耿尚彬"}],
    }
    html = _render(
        "volunteering_activity.html",
        "en",
        activity=ACTIVITY,
        shifts=[_shift_view(rostered, during)],
        team=None,
        me={"id": "leader"},
        is_volunteer=True,
        error="the check-in code does not match",
    )
    assert "042917" in html and "耿尚彬" in html and 'data-step="check-in"' in html
    assert "Sign up" not in html  # the shift has started
    assert "data-problem>the check-in code does not match" in html


def test_my_service_shows_both_balances_and_each_entry_signed() -> None:
    book = {
        "account_id": "passbook:v-1",
        "spendable": 3390,
        "lifetime": 3670,
        "stars": 2,
        "transfers": [
            {
                "kind": "redeem",
                "from_account": "passbook:v-1",
                "to_account": "shop:changshan",
                "amount": 80,
                "reason": "洗衣液",
                "actor": "耿尚彬",
                "at": "2026-11-28T04:00:00+00:00",
            },
            {
                "kind": "earn",
                "from_account": "issuing:changshan",
                "to_account": "passbook:v-1",
                "amount": 20,
                "reason": "红马甲便民服务日",
                "actor": "张立春",
                "at": "2026-11-28T03:30:00+00:00",
            },
        ],
    }
    html = _render(
        "volunteering_me.html", me=ME, book=book, ahead=[], done=[], activities={}, error=None
    )
    assert "data-spendable>3390<" in html and "data-lifetime>3670<" in html and "★★" in html
    assert 'data-amount="-80"' in html and 'data-amount="20"' in html
    assert "可用积分" in html and "累计积分" in html


def test_an_account_linked_to_no_profile_is_told_so() -> None:
    assert "data-unlinked" in _render("volunteering_me.html", me=None)


def test_the_dashboard_shows_the_months_figures_and_nothing_without_them() -> None:
    figures = {
        "month": "2026-11",
        "volunteers": 9,
        "served": 2,
        "hours": 5.5,
        "points": 75,
        "open_mobilisations": 1,
    }
    html = _render("_dashboard_volunteers.html", "en", volunteering=figures)
    assert 'data-vol="hours">5.5<' in html and 'data-vol="served">2<' in html
    assert 'data-vol="open_mobilisations" class="bad">1<' in html and "Hours this month" in html
    assert "volunteering-figures" not in _render("_dashboard_volunteers.html", volunteering=None)


def test_both_searched_lists_show_their_title_communities_search_and_pages() -> None:
    # The activities and the mobilisations share one layout (`_volunteering_list.html`).
    shown = Asked(found={"community": "changshan", "q": "红马甲"}, page=2)
    common = {"community": "changshan", "communities": ["changshan", "yanjiao"], "asked": shown}
    kinds = [{"name": "kind", "label": "ls.kind", "options": [("repair", "Repair")]}]
    activities = _render(
        "volunteering_activities.html",
        "en",
        **common,
        total=45,
        choices=kinds,
        activities=[ACTIVITY],
        teams={"t-1": {"name": "长山红马甲"}},
    )
    assert "<title>Activities" in activities and "<h1>Activities</h1>" in activities
    assert 'href="/volunteering/activities?community=yanjiao"' in activities
    assert 'action="/volunteering/activities"' in activities and 'value="红马甲"' in activities
    assert 'data-export="csv"' in activities and 'data-page="2"' in activities
    assert 'data-activity-id="a-1"' in activities and "红马甲便民服务日 &lt;b&gt;" in activities
    board = _render(
        "volunteering_mobilisations.html",
        **common,
        total=3,
        choices=[],
        mobilisations=[],
        volunteer_names={},
        node_names={},
        me=None,
        coordinator=False,
        error=None,
    )
    assert "<h1>应急动员</h1>" in board and 'href="/volunteering/mobilisations?community=' in board
    assert 'action="/volunteering/mobilisations"' in board and 'id="f-from"' in board
    assert 'data-total="3"' in board and "data-export" not in board and "data-page=" not in board
