"""The demo's volunteers at Changshan Garden (volunteers): red vests, patrol, points, the shop.

From the article: 12 red-vest (红马甲) specialist teams — legal aid, mediation, tutoring, health
care, appliance repair among them — and a volunteer patrol team of 400-odd residents; looking
after the elderly, errands and clearing snow earn points for practical goods (红马甲积分兑换制);
耿尚彬, a retired fitter who has sharpened neighbours' knives for over ten years and patrols
too, had the most points of 2019 (story 12); 张立春, a retired electrician, answers calls day
and night. Their contacts, home units, the other volunteers, the points and the shop's goods
are made up for the demo (Changshan has no member units in it: the unit donor is made up too).

Three demo accounts speak for volunteers here (`lianxin.demo.accounts`): `cs-volunteer` is the
fitter, `cs-team-leader` is 张立春, who leads the appliance-repair team whose service day is the
demo's activity; `tpj-volunteer` is 周敏, one of Taipingjie's 96 in-service party members
(双报到), made up too, living in the first micro-grid, where the demo's wartime incidents happen.

Idempotent: volunteers and teams are looked up by name, activities by title, items by name,
adjustments by their source key; only what is missing is created.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from lianxin.demo.calls import Calls

C = "changshan"

RED_VEST = ["法律援助队", "纠纷调解队", "家教服务队", "医疗保健队", "家电维修队"]
TEAMS = [{"community_code": C, "name": f"红马甲{n}", "kind": "red_vest"} for n in RED_VEST] + [
    {"community_code": C, "name": "长山花园义务巡逻队", "kind": "patrol"}
]
FITTER = "耿尚彬"


def _volunteer(name, i, building, unit, skills, **more) -> dict[str, Any]:
    grid = f"csh-g{max(1, building - 1):02d}"
    node = f"csh-b{building:02d}"
    return {
        "community_code": C,
        "name": name,
        "contact": f"1384310{i:04d}",
        "home_node_path": [grid, node, f"{node}-u{unit}"],
        "skills": skills,
        **more,
    }


VOLUNTEERS = [
    _volunteer(FITTER, 1, 3, 2, ["knife_sharpening", "repair", "patrol"], account="cs-volunteer"),
    _volunteer(
        "张立春", 2, 5, 1, ["electrician", "appliance_repair", "repair"], account="cs-team-leader"
    ),
    _volunteer("李淑琴", 3, 1, 3, ["elder_care", "errand_service"], party_member_kind="registered"),
    _volunteer("王振华", 4, 2, 1, ["legal_aid"], party_member_kind="transferred_retiree"),
    _volunteer("刘桂荣", 5, 4, 4, ["mediation", "elder_care"]),
    _volunteer("陈晓燕", 6, 7, 2, ["tutoring"], party_member_kind="registered"),
    _volunteer("赵国良", 7, 9, 3, ["health", "first_aid"]),
    _volunteer("孙志刚", 8, 11, 1, ["patrol", "snow_clearing"]),
]

# Taipingjie's in-service party member the demo's `tpj-volunteer` account speaks for.
TPJ_VOLUNTEERS = [
    {
        "community_code": "taipingjie",
        "name": "周敏",
        "contact": "13983060001",
        "home_node_path": ["tpj-g01", "tpj-c01", "tpj-g01-m01"],
        "skills": ["first_aid", "errand_service"],
        "party_member_kind": "in_service",
        "employer_unit_code": "tpj-u01",
        "employer_branch_code": "tpj-u01-branch",
        "account": "tpj-volunteer",
    }
]

# Team name -> (leader, members).
MEMBERS = {
    "红马甲法律援助队": ("王振华", []),
    "红马甲纠纷调解队": ("刘桂荣", ["李淑琴"]),
    "红马甲家教服务队": ("陈晓燕", []),
    "红马甲医疗保健队": ("赵国良", ["李淑琴"]),
    "红马甲家电维修队": ("张立春", [FITTER]),
    "长山花园义务巡逻队": ("孙志刚", [FITTER, "张立春"]),
}

# 照顾老人、代买、冬天扫雪等，都可以积分.
RULES = {
    "per_hour": {"elder_care": 12, "errand_service": 10, "snow_clearing": 15, "patrol": 8},
    "default_per_hour": 10,
    "night_multiplier": "1.5",
    "emergency_multiplier": "2",
    "daily_cap": 120,
}

ITEMS = [
    ("大米（5公斤）", "civil_affairs", "宽城区民政局", 200, 30),
    ("食用油（5升）", "civil_affairs", "宽城区民政局", 300, 20),
    ("洗衣液", "member_unit", "团山街道共建单位", 80, 50),
    ("家庭医药箱", "member_unit", "团山街道共建单位", 150, 10),
]

# Service before the platform, from the paper passbooks (lifetime points): the fitter first.
EARNED = {
    FITTER: 3650,
    "张立春": 2980,
    "孙志刚": 1820,
    "李淑琴": 1460,
    "刘桂荣": 760,
    "王振华": 520,
    "赵国良": 480,
    "陈晓燕": 260,
}
# What the fitter redeems at the points supermarket.
REDEEMED = ["大米（5公斤）", "洗衣液"]


def _next_saturday_morning(now: datetime) -> datetime:
    china = timezone(timedelta(hours=8))
    day = now.astimezone(china).date() + timedelta(days=1)
    day += timedelta(days=(5 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 9, tzinfo=china)


async def load_volunteering(http: httpx.AsyncClient) -> dict[str, int]:
    """Returns how many of each kind were created on this run."""
    call = Calls(http)
    count = call.count

    async def missing(
        path: str, key: str, wanted: list[dict[str, Any]], community: str = C
    ) -> dict[str, Any]:
        """What exists by `key`, after creating what does not."""
        have = {x[key]: x for x in await call("GET", f"{path}?community_code={community}")}
        new = [w for w in wanted if w[key] not in have]
        for x in await asyncio.gather(*(call("POST", path, w) for w in new)):
            have[x[key]] = x
        count(path.strip("/").replace("/", "_"), len(new))
        return have

    volunteers, teams, _ = await asyncio.gather(
        missing("/volunteers", "name", VOLUNTEERS),
        missing("/teams", "name", TEAMS),
        missing("/volunteers", "name", TPJ_VOLUNTEERS, "taipingjie"),
    )
    ids = {name: v["id"] for name, v in volunteers.items()}

    async def join(team: dict[str, Any], leader: str, members: list[str]) -> None:
        current = {m["volunteer_id"] for m in team["memberships"] if m["left_at"] is None}
        for name, role in [(leader, "leader"), *((m, "member") for m in members)]:
            if ids[name] not in current:
                body = {"volunteer_id": ids[name], "role": role}
                await call("POST", f"/teams/{team['id']}/members", body)
                count("memberships")

    async def rules() -> None:
        have = await call("GET", f"/rules/{C}")
        same = have["per_hour"] == RULES["per_hour"] and all(
            float(have[k]) == float(v) for k, v in RULES.items() if k != "per_hour"
        )
        if not same:
            await call("PUT", f"/rules/{C}", RULES)
            count("points_rules")

    async def activity() -> None:
        repair = teams["红马甲家电维修队"]["id"]
        wanted = {
            "community_code": C,
            "node_code": "csh-g01",
            "kind": "repair",
            "title": "红马甲便民服务日：磨刀剪、修家电",
            "team_id": repair,
        }
        found = await missing("/activities", "title", [wanted])
        path = f"/activities/{found[wanted['title']]['id']}/shifts"
        if not await call("GET", path):
            starts = _next_saturday_morning(datetime.now(UTC))
            shift = {
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2, minutes=30)).isoformat(),
                "place": "长山花园党群服务中心门前",
                "places": 10,
            }
            await call("POST", path, shift)
            count("shifts")

    async def points() -> None:
        async def earned(name: str, amount: int) -> None:
            body = {
                "volunteer_id": ids[name],
                "amount": amount,
                "reason": "纸质积分册转入（2010—2019年志愿服务）",
                "source_key": f"demo:changshan:paper-passbook:{name}",
            }
            if await call("POST", "/transfers/adjustments", body, ok=(409,)) is not None:
                count("adjustments")

        await asyncio.gather(*(earned(n, a) for n, a in EARNED.items()))
        items = await missing("/shop/items", "name", [_item(*i) for i in ITEMS])
        book = await call("GET", f"/volunteers/{ids[FITTER]}/passbook")
        if not any(t["kind"] == "redeem" for t in book["transfers"]):
            for name in REDEEMED:
                body = {"volunteer_id": ids[FITTER], "handed_over_by": "长山花园社区积分超市"}
                await call("POST", f"/shop/items/{items[name]['id']}/redemptions", body)
                count("redemptions")

    await asyncio.gather(
        *(join(teams[t], leader, members) for t, (leader, members) in MEMBERS.items()),
        rules(),
        activity(),
        points(),
    )
    return call.created


def _item(name: str, donor_kind: str, donor: str, price: int, stock: int) -> dict[str, Any]:
    return {
        "community_code": C,
        "name": name,
        "donor_kind": donor_kind,
        "donor": donor,
        "price": price,
        "stock": stock,
    }
