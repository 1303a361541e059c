"""The demo's needs and resources lists, joint meeting, project and micro-wishes (resources).

From the articles: Yongxinglu's pavilion (story 8: elderly residents — 2,249 over 60 — want
somewhere to rest outdoors; the quarterly joint meeting, chaired by the quarter's rotating chair,
decides the "连心亭" project; two member units claim it; two responsibilities with dates), the
member units' resources lists with an emergency vehicle at Taipingjie, and Taipingjie's
micro-wishes (story 9: 163 collected, 139 fulfilled), Longze Shuyuan's 42 fulfilled wishes and
Yongxinglu's 34 joint meetings. Unit names, dates, minutes and the wishes' items are made up for
the demo.

Idempotent: each thing is looked up first (the need, offer and project by title, the meeting by
its date, a wish by its title) and only what is missing is created or moved on.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from lianxin.demo.calls import Calls

TZ = "+08:00"

PAVILION_NEED = {
    "community_code": "yongxinglu",
    "grid_node_code": "yxl-g02",
    "category": "elderly_care",
    "title": "老年人希望有个户外歇脚的地方",
    "affected": "辖区60岁以上老年人",
    "affected_count": 2249,
    "urgency": "normal",
    "source": "resident",
    "description": "居民议事会上老人们提出：买菜、遛弯途中没有能坐下歇脚、避雨的地方。",
    "skills": ["construction"],
}
PAVILION = "连心驿站与连心亭建设"
# This quarter's rotating chair of Yongxinglu's big committee (organisations.CHAIR_TERMS, Q4).
MEETING = {
    "community_code": "yongxinglu",
    "chair_unit_code": "yxl-u01",
    "scheduled_at": f"2026-10-15T09:00:00{TZ}",
    "invited_department_codes": ["housing"],
}
CLAIMANTS = ["yxl-g02", "yxl-g05"]
RESPONSIBILITIES = [
    ("yxl-g02", "连心亭选址、设计与材料采购", f"2026-12-20T18:00:00{TZ}"),
    ("yxl-g05", "组织志愿者完成连心亭搭建与驿站布置", f"2027-03-15T18:00:00{TZ}"),
]


def offer_body(community, unit, kind, title, quantity, unit_of, **more) -> dict[str, Any]:
    """The body of `POST /offers` for one member unit's offer (the end-to-end tests file theirs
    with it too)."""
    return {
        "community_code": community,
        "member_unit_code": unit,
        "kind": kind,
        "title": title,
        "quantity": quantity,
        "unit": unit_of,
        "available_from": f"2026-01-01T00:00:00{TZ}",
        **more,
    }


OFFERS = [
    offer_body(
        "yongxinglu", "yxl-g02", "funds", "连心亭建设资金", 30000, "元", categories=["elderly_care"]
    ),
    offer_body(
        "yongxinglu",
        "yxl-g05",
        "people",
        "志愿者施工队",
        12,
        "人",
        skills=["construction"],
        categories=["elderly_care"],
    ),
    offer_body("yongxinglu", "yxl-g01", "venue", "老东粥皇店堂（老人歇脚、热水）", 1, "处"),
    offer_body(
        "yongxinglu", "yxl-u03", "expertise", "义诊与健康讲座", 4, "次/年", skills=["health"]
    ),
    offer_body(
        "taipingjie",
        "tpj-u01",
        "vehicle",
        "应急警务车（可调用）",
        1,
        "辆",
        emergency_available=True,
        categories=["public_security", "fire_safety", "power_supply"],
        grid_node_code="tpj-g01",
    ),
    offer_body(
        "taipingjie", "tpj-u03", "expertise", "家庭医生上门", 50, "次/年", skills=["health"]
    ),
    offer_body("taipingjie", "tpj-u06", "venue", "太平街小学操场（周末开放）", 1, "处"),
    offer_body("taipingjie", "tpj-u11", "funds", "商会微心愿基金", 20000, "元"),
]

# The articles' micro-wishes (story 9): Taipingjie collected 163 and fulfilled 139 (over 85 %);
# Longze Shuyuan's party members and volunteers claimed and fulfilled 42. Of Taipingjie's other
# 24, ten are claimed and under way and the rest wait on the wish board. (All of them load in
# about ten seconds, once, on the first `make run`.)
WISHES = {"taipingjie": 163, "longze": 42}
FULFILLED = {"taipingjie": 139, "longze": 42}
UNDER_WAY = {"taipingjie": 10, "longze": 0}
_ITEMS = [
    "轮椅一台",
    "助行器一个",
    "老花镜一副",
    "学习用台灯",
    "冬季棉被",
    "电饭煲",
    "书包和文具",
    "血压计",
    "更换楼道灯泡",
    "智能手机使用辅导",
    "课外辅导书",
    "理发上门",
]
_GRID_NODES = {
    "taipingjie": [f"tpj-g{g:02d}-m{m:02d}" for g in range(1, 8) for m in range(1, 5)],
    "longze": [f"lz-b{b:02d}" for b in range(1, 11)],
}
_CLAIMANTS = {
    "taipingjie": [("member_unit", f"tpj-u{u:02d}") for u in range(1, 31)]
    + [("party_member", f"tpj-s{s:02d}") for s in range(1, 11)],
    "longze": [("member_unit", f"lz-u{u:02d}") for u in range(1, 4)],
}
_PREFIX = {"taipingjie": "", "longze": "龙泽"}

# Yongxinglu's big committee has held 34 joint meetings: the 33 before this quarter's (which
# decides the pavilion, above) are loaded as held, one a quarter back from 2026-Q3.
PAST_MEETINGS = 33


def wish(community: str, i: int) -> dict[str, Any]:
    nodes = _GRID_NODES[community]
    return {
        "community_code": community,
        "grid_node_code": nodes[i % len(nodes)],
        "title": f"{_ITEMS[i % len(_ITEMS)]}（{_PREFIX[community]}第{i + 1:03d}号微心愿）",
        "description": "网格员入户收集",
        "resident_name": f"居民{i + 1:03d}",
        "resident_contact": f"1390000{i + 1:04d}",
    }


def past_meeting(n: int) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The n-th of the past meetings (1 = the first, 2018-Q3): schedule, attendance, minutes."""
    quarter = 2018 * 4 + 2 + (n - 1)  # 2018-Q3 is quarter index 2 of 2018
    year, q = divmod(quarter, 4)
    chair = f"yxl-u{(n - 1) % 3 + 1:02d}"
    schedule = {
        "community_code": "yongxinglu",
        "chair_unit_code": chair,
        "scheduled_at": f"{year}-{3 * q + 1:02d}-15T09:00:00{TZ}",
        "invited_department_codes": [],
    }
    attendance = {"units_present": ["yxl-u01", "yxl-u02", "yxl-u03", "yxl-g01"]}
    minutes = (
        f"第{n}次联席会议（{year}年第{q + 1}季度）："
        "审议上次会议决定事项的反馈清单，通报需求清单和资源清单的更新。"
    )
    return schedule, attendance, minutes


async def load_lists(http: httpx.AsyncClient) -> dict[str, int]:
    """Returns how many of each kind were created (or moved on) on this run."""
    call = Calls(http)
    count = call.count

    async def offers() -> dict[str, str]:
        """Offer ids by title."""
        have: dict[str, str] = {}
        for community in ("yongxinglu", "taipingjie"):
            have |= {o["title"]: o["id"] for o in await call("GET", "/offers", **_c(community))}
        missing = [o for o in OFFERS if o["title"] not in have]
        for o in await asyncio.gather(*(call("POST", "/offers", o) for o in missing)):
            have[o["title"]] = o["id"]
        count("offers", len(missing))
        return have

    async def pavilion(offer_ids: dict[str, str]) -> None:
        needs = await call("GET", "/needs", **_c("yongxinglu"))
        need = next((n for n in needs if n["title"] == PAVILION_NEED["title"]), None)
        if need is None:
            need = await call("POST", "/needs", PAVILION_NEED)
            count("needs")
        meetings = await call("GET", "/meetings", **_c("yongxinglu"))
        if not any(_same_time(m["scheduled_at"], MEETING["scheduled_at"]) for m in meetings):
            await meeting(need["id"], offer_ids)
        projects = await call("GET", "/projects", **_c("yongxinglu"))
        project = next(p for p in projects if p["title"] == PAVILION)
        claimed = {c["member_unit_code"] for c in project["claims"]}
        for unit in CLAIMANTS:
            if unit not in claimed:
                await call("POST", f"/projects/{project['id']}/claims", {"member_unit_code": unit})
                count("claims")

    async def meeting(need_id: str, offer_ids: dict[str, str]) -> None:
        m = await call("POST", "/meetings", MEETING)
        path = f"/meetings/{m['id']}"
        await call("POST", f"{path}/agenda")
        present = ["yxl-u01", "yxl-u02", "yxl-u03", "yxl-g01", "yxl-g02", "yxl-g05"]
        body = {"units_present": present, "departments_present": ["housing"]}
        await call("PUT", f"{path}/attendance", body)
        decided = await call(
            "POST",
            f"{path}/decisions/projects",
            {
                "title": PAVILION,
                "need_ids": [need_id],
                "due_at": f"2027-03-31T18:00:00{TZ}",
                "resource_offer_ids": [offer_ids["连心亭建设资金"], offer_ids["志愿者施工队"]],
                "slots": len(CLAIMANTS),
            },
        )
        project_id = next(d["project_id"] for d in decided["decisions"] if d.get("title"))
        for holder, task, due in RESPONSIBILITIES:
            body = {"project_id": project_id, "holder_code": holder, "task": task, "due_at": due}
            await call("POST", f"{path}/decisions/responsibilities", body)
        minutes = "第四季度联席会议：议定建设连心驿站与连心亭，由两家共建单位认领，分两项责任推进。"
        await call("PUT", f"{path}/minutes", {"minutes": minutes})
        await call("POST", f"{path}/close")
        count("meetings")
        count("projects")

    async def wishes(community: str) -> None:
        have = {w["title"]: w for w in await call("GET", "/wishes", **_c(community))}
        bodies = [wish(community, i) for i in range(WISHES[community])]
        missing = [w for w in bodies if w["title"] not in have]
        for w in await asyncio.gather(*(call("POST", "/wishes", w) for w in missing)):
            have[w["title"]] = w
        count("wishes", len(missing))
        fulfilled, under_way = FULFILLED[community], FULFILLED[community] + UNDER_WAY[community]
        steps = [(i, "closed" if i < fulfilled else "claimed") for i in range(under_way)]
        moved = await asyncio.gather(
            *(move(community, i, have[bodies[i]["title"]], to) for i, to in steps)
        )
        for (_, to), did in zip(steps, moved, strict=True):
            count(f"wishes_{to}", did)
        # The rest wait on the wish board for a member unit or a party member to claim them.
        for w in (have[b["title"]] for b in bodies[under_way:]):
            if w["status"] == "recorded":
                await call("POST", f"/wishes/{w['id']}/publish")

    async def past_meetings() -> None:
        held = await call("GET", "/meetings", **_c("yongxinglu"))
        for n in range(1, PAST_MEETINGS + 1):
            schedule, attendance, minutes = past_meeting(n)
            if any(_same_time(m["scheduled_at"], schedule["scheduled_at"]) for m in held):
                continue
            path = f"/meetings/{(await call('POST', '/meetings', schedule))['id']}"
            await call("PUT", f"{path}/attendance", attendance)
            await call("PUT", f"{path}/minutes", {"minutes": minutes})
            await call("POST", f"{path}/close")
            count("meetings")

    async def move(community: str, i: int, w: dict[str, Any], to: str) -> bool:
        """派单 → 接单 → deliver → 销单, from wherever the wish is, up to `to`."""
        claimants = _CLAIMANTS[community]
        kind, who = claimants[i % len(claimants)]
        claimant = {"claimant_kind": kind, "claimant_id": who}
        steps = {
            "recorded": ("publish", None),
            "published": ("claim", claimant),
            "claimed": ("deliver", {**claimant, "note": "已送达，居民签收"}),
            "delivered": ("close", None),
        }
        status, moved = w["status"], False
        while status in steps and status != to:
            step, body = steps[status]
            status = (await call("POST", f"/wishes/{w['id']}/{step}", body))["status"]
            moved = True
        return moved

    offer_ids = await offers()
    await past_meetings()  # before this quarter's, whose feedback list follows the last one
    await asyncio.gather(pavilion(offer_ids), *(wishes(c) for c in WISHES))
    return call.created


def _c(community: str) -> dict[str, str]:
    return {"community_code": community}


def _same_time(a: str, b: str) -> bool:
    from datetime import datetime

    return datetime.fromisoformat(a) == datetime.fromisoformat(b)
