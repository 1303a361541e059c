"""Stories 8 and 10 across real processes: Yongxinglu's pavilion from a grid's need to a joint
meeting's project, claimed and reported on, and the year-end review of member units' projects and
wishes (issue #12).

The demo has one liaison account (`tpj-liaison`, for Taipingjie's tpj-u01): Yongxinglu's units
claim through their community coordinator, who names the unit (as the demo loader does)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.demo.lists import offer_body
from lianxin.messaging.connection import connect
from tests.conftest import Platform, eventually
from tests.e2e.data import ok

pytestmark = pytest.mark.e2e

YXL, TPJ = "yongxinglu", "taipingjie"
TZ = "+08:00"
# This quarter's (2026-Q4) rotating chair of Yongxinglu's big committee (demo CHAIR_TERMS).
CHAIR = "yxl-u01"
REST_NEED = {
    "community_code": YXL,
    "grid_node_code": "yxl-g03",
    "category": "elderly_care",
    "title": "三网格老人想要一处能坐下歇脚的地方",
    "affected": "三网格60岁以上老年人",
    "affected_count": 310,
    "source": "resident",
    "description": "网格员入户: 老人买菜途中没有可以坐下休息的地方",
    "skills": ["carpentry"],
}


BENCHES = offer_body(YXL, "yxl-u02", "goods", "户外长椅", 6, "张", categories=["elderly_care"])
CARPENTERS = offer_body(
    YXL,
    "yxl-u03",
    "people",
    "木工志愿者",
    4,
    "人",
    skills=["carpentry"],
    categories=["elderly_care"],
)


def meeting_in(coordinator, days: int) -> dict:
    """Yongxinglu's joint meeting at 09:00 (China) `days` from today, chaired by `CHAIR`."""
    scheduled = f"{(datetime.now(UTC) + timedelta(days=days)).date()}T09:00:00{TZ}"
    body = {"community_code": YXL, "chair_unit_code": CHAIR, "scheduled_at": scheduled}
    return ok(coordinator.post("/meetings", json=body), 201)


def stream_subjects(plat: Platform, stream: str, prefix: str) -> dict[str, int]:
    """How many messages each subject under `prefix` holds in `stream`."""

    async def info():
        nc = await connect(plat.nats_url, "lianxin-test")
        try:
            found = await nc.jetstream().stream_info(stream, subjects_filter=f"{prefix}>")
            return dict(found.state.subjects or {})
        finally:
            await nc.close()

    return asyncio.run(info())


def on_stream(plat: Platform, subject: str) -> bool:
    """Whether the RESOURCES stream holds a message on `subject` yet."""
    prefix = subject.rsplit(".", 1)[0] + "."
    return stream_subjects(plat, "RESOURCES", prefix).get(subject, 0) >= 1


def test_the_pavilion_from_a_grid_need_to_a_claimed_project_on_the_next_agenda(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    coordinator = plat.http("resources", plat.token("yxl-coordinator", DEMO_PASSWORD))
    before = stream_subjects(plat, "RESOURCES", "resources.")

    # The grid records the need; two member units file what they can give.
    need = ok(coordinator.post("/needs", json=REST_NEED), 201)
    benches = ok(coordinator.post("/offers", json=BENCHES), 201)
    carpenters = ok(coordinator.post("/offers", json=CARPENTERS), 201)

    # The suggestions rank both offers, each with its reasons.
    suggested = ok(coordinator.get(f"/needs/{need['id']}/suggestions"))
    ranked = [s["offer_id"] for s in suggested]
    assert {benches["id"], carpenters["id"]} <= set(ranked), suggested
    for s in suggested:
        if s["offer_id"] in (benches["id"], carpenters["id"]):
            assert s["reasons"], s
    scores = [s["score"] for s in suggested]
    assert scores == sorted(scores, reverse=True)
    # The carpenters match the category and the skill, the benches the category only.
    assert ranked.index(carpenters["id"]) < ranked.index(benches["id"])

    # The joint meeting: this quarter's rotating chair, the agenda with the need on it.
    meeting = meeting_in(coordinator, days=1)
    assert meeting["chair_unit_code"] == CHAIR
    assert (meeting["quarter"]["year"], meeting["quarter"]["number"]) == (2026, 4)
    path = f"/meetings/{meeting['id']}"
    agenda = ok(coordinator.post(f"{path}/agenda"))["agenda"]
    on_agenda = {n["need_id"]: n for n in agenda["needs"]}
    assert need["id"] in on_agenda, agenda
    present = ["yxl-u01", "yxl-u02", "yxl-u03"]
    ok(coordinator.put(f"{path}/attendance", json={"units_present": present}))
    due = f"{(datetime.now(UTC) + timedelta(days=60)).date()}T18:00:00{TZ}"
    decided = ok(
        coordinator.post(
            f"{path}/decisions/projects",
            json={
                "title": "三网格歇脚长椅",
                "need_ids": [need["id"]],
                "due_at": due,
                "resource_offer_ids": [benches["id"], carpenters["id"]],
                "slots": 2,
            },
        )
    )
    project_id = next(d["project_id"] for d in decided["decisions"] if d.get("title"))
    tasks = [("yxl-u02", "长椅采购与运送"), ("yxl-u03", "长椅安装")]
    for holder, task in tasks:
        body = {"project_id": project_id, "holder_code": holder, "task": task, "due_at": due}
        ok(coordinator.post(f"{path}/decisions/responsibilities", json=body))
    ok(coordinator.put(f"{path}/minutes", json={"minutes": "议定三网格歇脚长椅项目"}))
    closed = ok(coordinator.post(f"{path}/close"))
    assert closed["status"] == "closed" and closed["minutes"] and closed["units_present"]

    # The project exists, the need is in it, the responsibilities with their dates.
    project = eventually(
        lambda: (r := coordinator.get(f"/projects/{project_id}")).status_code == 200 and r.json()
    )
    assert project["need_ids"] == [need["id"]]
    assert set(project["resource_offer_ids"]) == {benches["id"], carpenters["id"]}
    assert sorted((r["holder_code"], r["task"]) for r in project["responsibilities"]) == tasks
    assert eventually(lambda: ok(coordinator.get(f"/needs/{need['id']}"))["status"] == "in_project")

    # The RESOURCES stream carries the decisions and what they caused.
    def grew(subject: str, by: int) -> bool:
        now = stream_subjects(plat, "RESOURCES", "resources.")
        return now.get(subject, 0) - before.get(subject, 0) >= by

    for subject, by in [
        ("resources.meeting.project_decided", 1),
        ("resources.meeting.responsibility_given", 2),
        ("resources.meeting.closed", 1),
        ("resources.project.created", 1),
        ("resources.need.taken_into_project", 1),
    ]:
        assert eventually(lambda s=subject, b=by: grew(s, b)), subject

    # Two member units claim it (the coordinator names each: one liaison account in the demo).
    for unit in ("yxl-u02", "yxl-u03"):
        ok(coordinator.post(f"/projects/{project_id}/claims", json={"member_unit_code": unit}))
    project = ok(coordinator.get(f"/projects/{project_id}"))
    assert [c["member_unit_code"] for c in project["claims"]] == ["yxl-u02", "yxl-u03"]
    assert project["slots_left"] == 0
    assert eventually(lambda: grew("resources.project.claimed", 2))

    # Progress reported; the next meeting's agenda shows it on the feedback list.
    ok(
        coordinator.post(
            f"/projects/{project_id}/progress", json={"note": "长椅已到货", "percent_done": 40}
        )
    )
    following = meeting_in(coordinator, days=40)
    agenda = ok(coordinator.post(f"/meetings/{following['id']}/agenda"))["agenda"]
    line = next(f for f in agenda["feedback"] if f["subject_id"] == project_id)
    assert line["decision"] == "project_created" and line["state"] == "on_track", line
    assert line["percent_done"] == 40
    assert need["id"] not in [n["need_id"] for n in agenda["needs"]]


# Story 10. Taipingjie's units tpj-u21…u25 have done nothing in the demo; what they do here, all
# in this quarter (2026-Q4), and the points `resources.domain.scorecards` gives for it.
UNITS = ["tpj-u21", "tpj-u22", "tpj-u23", "tpj-u24", "tpj-u25"]


def test_the_year_end_review_scores_lists_and_stars_by_the_stated_rules(
    demo_platform: Platform,
) -> None:
    plat = demo_platform
    coordinator = plat.http("resources", plat.token("tpj-coordinator", DEMO_PASSWORD))

    def project(title: str, due_at: datetime) -> dict:
        body = {"community_code": TPJ, "title": title, "due_at": due_at.isoformat()}
        return ok(coordinator.post("/projects", json=body), 201)

    def claim(project_id: str, unit: str) -> None:
        ok(coordinator.post(f"/projects/{project_id}/claims", json={"member_unit_code": unit}))

    def wish(n: int, unit: str, fulfil: bool) -> None:
        body = {
            "community_code": TPJ,
            "grid_node_code": "tpj-g02",
            "title": f"年终考核微心愿{n}",
            "resident_name": f"居民{n}",
            "resident_contact": f"1370000{n:04d}",
        }
        w = ok(coordinator.post("/wishes", json=body), 201)
        claimant = {"claimant_kind": "member_unit", "claimant_id": unit}
        ok(coordinator.post(f"/wishes/{w['id']}/publish"))
        ok(coordinator.post(f"/wishes/{w['id']}/claim", json=claimant))
        if fulfil:
            ok(coordinator.post(f"/wishes/{w['id']}/deliver", json={**claimant, "note": "送达"}))
            ok(coordinator.post(f"/wishes/{w['id']}/close"))

    now = datetime.now(UTC)
    # Two projects due in a few seconds, created and claimed first: the steps before them once
    # took longer than that on a busy machine, and a due date already past is refused.
    soon = datetime.now(UTC) + timedelta(seconds=8)
    # tpj-u22: one project let pass its due date unfinished; one wish claimed.
    slack = project("年终考核: 宣传栏", soon)
    claim(slack["id"], "tpj-u22")
    # tpj-u23: one project finished after its due date, rated 1.
    late = project("年终考核: 绿化补种", soon)
    claim(late["id"], "tpj-u23")
    # tpj-u21: one project finished on time, rated 5 and 4; three wishes claimed, two fulfilled.
    good = project("年终考核: 楼道照明", now + timedelta(days=20))
    claim(good["id"], "tpj-u21")
    ok(coordinator.post(f"/projects/{good['id']}/finish"))
    for key, rating in [("h1", 5), ("h2", 4)]:
        body = {"rater_key": key, "rating": rating}
        ok(coordinator.post(f"/projects/{good['id']}/ratings", json=body))
    for n, fulfil in [(1, True), (2, True), (3, False)]:
        wish(n, "tpj-u21", fulfil)
    wish(4, "tpj-u22", False)
    # tpj-u25: three projects claimed (only two count), none due yet; one wish claimed and
    # fulfilled. tpj-u24: nothing.
    for n in range(3):
        claim(project(f"年终考核: 长期项目{n}", now + timedelta(days=300))["id"], "tpj-u25")
    wish(5, "tpj-u25", True)
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.5)
    ok(coordinator.post(f"/projects/{late['id']}/finish"))
    ok(coordinator.post(f"/projects/{late['id']}/ratings", json={"rater_key": "h3", "rating": 1}))

    # By hand from the rules: claim +10, on time +10, late −10, rating round((mean − 3) × 5)
    # half up, wishes 2 per claim + 3 per fulfilment capped at 10.
    expected = {
        "tpj-u21": 10 + 10 + 8 + 10,  # mean 4.5 → +7.5 → +8; wishes 3×2 + 2×3 = 12 → 10
        "tpj-u22": 10 - 10 + 2,
        "tpj-u23": 10 - 10 - 10,  # finishing late earns nothing: it is late, rated 1 → −10
        "tpj-u24": 0,
        "tpj-u25": 10 * 2 + 2 + 3,
    }
    query = {"community_code": TPJ, "quarter": "2026-Q4", "member_unit_codes": UNITS}
    cards = ok(coordinator.get("/scorecards", params=query))
    got = {c["member_unit_code"]: c["score"] for c in cards["scorecards"]}
    assert got == expected, cards
    reasons = {c["member_unit_code"]: c["reasons"] for c in cards["scorecards"]}
    assert "rated 4.5 by 2: +8" in reasons["tpj-u21"]
    assert any("(capped)" in r and r.endswith("+10") for r in reasons["tpj-u21"])
    assert reasons["tpj-u24"] == ["nothing claimed or done this quarter: +0"]
    assert "3 claimed: +20" in reasons["tpj-u25"]
    # Red: the three best above zero; black: the lowest of the rest at zero or below.
    assert cards["red"] == ["tpj-u21", "tpj-u25", "tpj-u22"]
    assert cards["black"] == ["tpj-u23", "tpj-u24"]

    published = coordinator.post(
        "/scorecards/2026-Q4/red-black-list",
        json={"community_code": TPJ, "member_unit_codes": UNITS},
    )
    listed = ok(published)
    assert listed["red"] == cards["red"] and listed["black"] == cards["black"]
    assert eventually(lambda: on_stream(plat, "resources.scorecard.red_black_list_published"))

    # Stars: Q1–Q3 count 0 here; one star plus one per full 15 points, five at most.
    def stars(total: int) -> int:
        return max(1, min(5, 1 + total // 15))

    review = ok(
        coordinator.post(
            "/scorecards/stars/2026", json={"community_code": TPJ, "member_unit_codes": UNITS}
        )
    )
    by_unit = {r["member_unit_code"]: r for r in review}
    for unit, total in expected.items():
        assert by_unit[unit]["quarter_scores"] == [0, 0, 0, total], by_unit[unit]
        assert by_unit[unit]["total"] == total and by_unit[unit]["stars"] == stars(total)
    assert (by_unit["tpj-u21"]["stars"], by_unit["tpj-u25"]["stars"]) == (3, 2)
    ranked = sorted(UNITS, key=lambda u: (-stars(expected[u]), -expected[u], u))
    assert [r["member_unit_code"] for r in review] == ranked
    assert eventually(lambda: on_stream(plat, "resources.scorecard.stars_published"))


def test_a_liaison_claims_for_its_own_unit_only(demo_platform: Platform) -> None:
    plat = demo_platform
    coordinator = plat.http("resources", plat.token("tpj-coordinator", DEMO_PASSWORD))
    liaison = plat.http("resources", plat.token("tpj-liaison", DEMO_PASSWORD))
    due = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    body = {"community_code": TPJ, "title": "联络员认领的项目", "due_at": due, "slots": 2}
    created = ok(coordinator.post("/projects", json=body), 201)

    other = liaison.post(f"/projects/{created['id']}/claims", json={"member_unit_code": "tpj-u02"})
    assert other.status_code == 403, other.text
    claimed = ok(liaison.post(f"/projects/{created['id']}/claims", json={}))
    assert [c["member_unit_code"] for c in claimed["claims"]] == ["tpj-u01"]
    reported = liaison.post(
        f"/projects/{created['id']}/progress", json={"note": "已开工", "percent_done": 10}
    )
    assert ok(reported)["percent_done"] == 10

    # A Yongxinglu project is outside its scope: it does not exist for it.
    yxl = plat.http("resources", plat.token("yxl-coordinator", DEMO_PASSWORD))
    body = {"community_code": YXL, "title": "永兴路的项目", "due_at": due}
    elsewhere = ok(yxl.post("/projects", json=body), 201)
    assert liaison.post(f"/projects/{elsewhere['id']}/claims", json={}).status_code == 404
    assert liaison.get(f"/projects/{elsewhere['id']}").status_code == 404
