"""Stories 8, 9 and 10 of SCENARIOS.md, played on the domain alone."""

from __future__ import annotations

from decimal import Decimal

from resources.domain import events
from resources.domain.common import Quarter
from resources.domain.feedback import feedback_list
from resources.domain.matching import suggest
from resources.domain.meetings import JointMeeting, build_agenda
from resources.domain.needs import NeedStatus
from resources.domain.projects import Project
from resources.domain.scorecards import annual_review, red_black_list, scorecards
from resources.domain.wishes import Claimant, WishStatus, fulfilment_rate

from .builders import T0, a_need, a_wish, an_offer, days


def test_story_8_the_pavilion() -> None:
    # Elderly residents ask for somewhere to rest outdoors.
    need = a_need(title="老人户外休息的凉亭", skills=("construction",))
    builder = an_offer(skills=("construction",), grid_node_code="yxl-g2")
    bank = an_offer(
        member_unit_code="yunnan-bank",
        kind="funds",
        title="公益资金",
        quantity=50_000,
        unit="yuan",
        categories=("elderly_care",),
    )
    unrelated = an_offer(member_unit_code="law-firm", categories=("legal_aid",))
    suggestions = suggest(need, [unrelated, bank, builder], now=T0)
    assert [s.member_unit_code for s in suggestions] == ["kunming-construction", "yunnan-bank"]
    assert {r.rule for r in suggestions[0].reasons} >= {"category", "skill", "same_grid"}

    # The quarterly joint meeting, chaired by this quarter's rotating chair.
    meeting = JointMeeting.schedule(
        community_code="yongxinglu",
        chair_unit_code="yunnan-bank",
        scheduled_at=T0 + days(10),
        now=T0,
        invited_department_codes=("housing-bureau",),
    )
    meeting.set_agenda(build_agenda([need], {need.id: suggestions}))
    meeting.record_attendance(["yunnan-bank", "kunming-construction"], ["housing-bureau"])
    decided = meeting.decide_project(
        title="党群服务站与连心亭",
        need_ids=[need.id],
        resource_offer_ids=[builder.id, bank.id],
        slots=2,
        due_at=T0 + days(120),
    )
    build = meeting.give_responsibility(
        project_id=decided.project_id,
        holder_code="kunming-construction",
        task="建亭",
        due_at=T0 + days(90),
    )
    pay = meeting.give_responsibility(
        project_id=decided.project_id,
        holder_code="yunnan-bank",
        task="拨付资金",
        due_at=T0 + days(30),
    )
    meeting.write_minutes("议定建设连心亭，两家成员单位认领。")
    meeting.close(T0 + days(10))
    assert [type(e) for e in meeting.events] == [
        events.MeetingScheduled,
        events.ProjectDecided,
        events.ResponsibilityGiven,
        events.ResponsibilityGiven,
        events.MeetingClosed,
    ]

    # The handlers apply the decisions.
    project_decided, *given = [
        e
        for e in meeting.events
        if not isinstance(e, events.MeetingScheduled | events.MeetingClosed)
    ]
    assert isinstance(project_decided, events.ProjectDecided)
    project = Project.from_decision(project_decided)
    need.take_into_project(project.id, T0 + days(10))
    for g in given:
        assert isinstance(g, events.ResponsibilityGiven)
        project.assign(g.holder_code, g.task, g.due_at, g.at, responsibility_id=g.responsibility_id)
    project.claim("kunming-construction", T0 + days(11))
    project.claim("yunnan-bank", T0 + days(12))
    assert project.slots_left == 0
    project.complete(pay.responsibility_id, T0 + days(25))
    project.report_progress("kunming-construction", "地基完成", T0 + days(60), percent_done=40)

    # The next quarter's meeting reviews the feedback list.
    feedback = feedback_list(meeting, {project.id: project}, {need.id: need}, now=T0 + days(95))
    assert [(f.decision, f.state) for f in feedback] == [
        ("project_created", "overdue"),  # the building responsibility is overdue on day 95
        ("responsibility_given", "overdue"),
        ("responsibility_given", "done"),
    ]
    assert feedback[0].percent_done == 40
    assert "claimed by kunming-construction, yunnan-bank" in feedback[0].detail
    nxt = JointMeeting.schedule(
        community_code="yongxinglu",
        chair_unit_code="kunming-construction",
        scheduled_at=T0 + days(95),
        now=T0 + days(80),
    )
    nxt.set_agenda(build_agenda([], {}, feedback))
    assert nxt.quarter == Quarter(2026, 2) and nxt.agenda.feedback == feedback
    assert build.task == "建亭" and need.status is NeedStatus.IN_PROJECT


def test_story_9_micro_wishes_at_taipingjie() -> None:
    grid_member = Claimant.of("member_unit", "chongqing-electric")
    wish = a_wish()  # Taipingjie's wheelchair
    wish.publish(T0 + days(1))
    wish.claim(grid_member, T0 + days(2))
    wish.deliver(grid_member, T0 + days(4), note="轮椅已送到", photo_ref="photos/w1.jpg")
    wish.close(T0 + days(5))
    assert wish.status is WishStatus.CLOSED
    fulfilled = wish.events[-1]
    assert isinstance(fulfilled, events.WishFulfilled)
    assert (fulfilled.claimant_kind, fulfilled.claimant_id) == ("member_unit", "chongqing-electric")

    # Of 163 collected, 139 fulfilled: 85.3 %.
    wishes = [wish]
    for i in range(162):
        w = a_wish(grid_node_code="tpj-g1", title=f"心愿{i}", now=T0 + days(i))
        w.publish(T0 + days(i))
        if i < 138:
            member = Claimant.of("party_member", f"pm-{i % 96}")  # 96 in-service members
            w.claim(member, T0 + days(i + 1))
            w.deliver(member, T0 + days(i + 2), note="送达")
            w.close(T0 + days(i + 3))
        wishes.append(w)
    rate = fulfilment_rate(wishes, "taipingjie", T0, T0 + days(400))
    assert (rate.collected, rate.fulfilled, rate.percent) == (163, 139, Decimal("85.3"))


def test_story_10_year_end_review() -> None:
    end_of_year = Quarter(2026, 4).end
    project = Project.create(
        community_code="yongxinglu", title="连心亭", due_at=T0 + days(120), now=T0, slots=2
    )
    project.claim("kunming-construction", T0 + days(1))
    project.claim("yunnan-bank", T0 + days(2))
    project.finish(T0 + days(100))  # 15 April: Q2, on time
    project.rate("household-1", 5, T0 + days(101))
    project.rate("household-2", 4, T0 + days(102))
    late = Project.create(
        community_code="yongxinglu", title="楼道照明", due_at=T0 + days(40), now=T0
    )
    late.claim("yunnan-bank", T0 + days(3))
    units = ["kunming-construction", "yunnan-bank", "idle-unit"]
    cards = [
        c
        for q in Quarter.of_year(2026)
        for c in scorecards(units, [project, late], [], q, end_of_year)
    ]
    q1 = [c for c in cards if c.counts.quarter == Quarter(2026, 1)]
    assert {c.member_unit_code: c.score for c in q1} == {
        "kunming-construction": 10,
        "yunnan-bank": 10,
        "idle-unit": 0,  # bank: 2 claimed, 1 late
    }
    listing = red_black_list(Quarter(2026, 1), q1)
    assert [c.member_unit_code for c in listing.red] == ["kunming-construction", "yunnan-bank"]
    assert [c.member_unit_code for c in listing.black] == ["idle-unit"]
    reviews = {u: annual_review(u, 2026, cards) for u in units}
    # construction: Q1 claim +10, Q2 on time +10 and rating 4.5 → +8: 28 → 2 stars.
    assert reviews["kunming-construction"].quarter_scores == (10, 18, 0, 0)
    assert reviews["kunming-construction"].stars == 2
    assert reviews["idle-unit"].stars == 1
