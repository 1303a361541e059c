"""The demo care register: Yongxinglu's people in care (story 14), loaded through organisation.

The article gives one figure: Yongxinglu has 2,249 residents over 60. The demo does not invent
2,249 named people: `RESIDENTS_OVER_60` keeps the figure (the console's dashboard card shows it
beside the register's counts), and a few named entries in grids 1 and 2 make the story playable —
Mrs Wang, who lives alone, visited every week by her party household neighbour and a red-vest
volunteer, lunch on Wednesdays. Her last home visit was nine days ago, so her grid sees it
overdue; her birthday (like one neighbour's) falls in the month the demo is loaded, so the
collective birthday list is never empty in a demo.

Changshan Garden (长山花园): its 161 party households (党员家庭户) each keep an eye on 20–30
neighbouring households. They are the demo tree's party organisations (`lianxin.demo.trees`: one
at each unit, 3 or 4 a unit, each with its `linked_households`), so the figures — how many party
households a grid has and how many households they link — come from organisation's data, not from
a constant here (the console's care card counts them). The register adds two named neighbours in
building 5 whose carer is one of those party households, `CHANGSHAN_PARTY_HOUSEHOLD` (5栋1单元),
so a party household as a carer is playable in Changshan too; no other resident is invented.

The carers and the grid leader are accounts of their own (password `lianxin-demo`, as every demo
account): the register knows a carer by the account name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from lianxin.demo.accounts import PASSWORD

RESIDENTS_OVER_60 = {"yongxinglu": 2249}

# The carers' and the grid leader's accounts are demo accounts (`lianxin.demo.accounts`).
CARE_ACCOUNTS = (
    "yxl-g01-leader",
    "yxl-party-household",
    "yxl-volunteer",
    "yxl-family-wang",
    "csh-party-household",
)
# The party organisation (a 党员家庭户 of the demo tree) whose household `csh-party-household` is.
CHANGSHAN_PARTY_HOUSEHOLD = "csh-b05-u1-h1"
CHANGSHAN_CARER = {"kind": "party_household", "username": "csh-party-household", "name": "孙建华"}

WEEKLY = [{"kind": "home_visit", "every_days": 7}, {"kind": "meal_delivery", "every_days": 7}]
MONTHLY = [{"kind": "home_visit", "every_days": 30}]


def _consent(by: str) -> dict[str, Any]:
    return {"given_by": by, "purposes": ["care_visits", "doctor_visits"]}


def entries(today: date) -> list[dict[str, Any]]:
    """The named entries; two born in `today`'s month (for the collective birthday)."""
    this_month = today.month
    return [
        {
            "code": "yxl-care-001",
            "node_code": "yxl-b01",
            "name": "王秀英",
            "birth_date": date(1941, this_month, 12).isoformat(),
            "care_groups": ["elderly", "living_alone"],
            "carers": [
                {"kind": "party_household", "username": "yxl-party-household", "name": "李桂芳"},
                {"kind": "grid_member", "username": "yxl-volunteer", "name": "赵红"},
                {"kind": "family_contact", "username": "yxl-family-wang", "name": "王磊"},
            ],
            "consent": _consent("王秀英本人"),
            "plans": WEEKLY,
            "phone": "13908710001",
            "address": "永兴路1栋2单元301",
            "health_notes": "高血压，行动较慢",
        },
        {
            "code": "yxl-care-002",
            "node_code": "yxl-b02",
            "name": "张德明",
            "birth_date": date(1938, this_month, 3).isoformat(),
            "care_groups": ["elderly", "disabled"],
            "carers": [{"kind": "grid_member", "username": "yxl-volunteer", "name": "赵红"}],
            "consent": _consent("张德明本人"),
            "plans": MONTHLY,
            "phone": "13908710002",
            "address": "永兴路2栋1单元102",
            "health_notes": "轮椅出行",
        },
        {
            "code": "yxl-care-003",
            "node_code": "yxl-b03",
            "name": "刘淑珍",
            "birth_date": date(1950, today.month % 12 + 1, 20).isoformat(),
            "care_groups": ["elderly", "low_income"],
            "carers": [
                {"kind": "party_household", "username": "yxl-party-household", "name": "李桂芳"}
            ],
            "consent": _consent("刘淑珍本人"),
            "plans": MONTHLY,
            "phone": "13908710003",
            "address": "永兴路3栋3单元502",
        },
        {
            "code": "yxl-care-101",
            "node_code": "yxl-b30",
            "name": "陈国华",
            "birth_date": date(1945, 5, 8).isoformat(),
            "care_groups": ["elderly", "living_alone"],
            "carers": [],
            "consent": _consent("陈国华本人"),
            "plans": MONTHLY,
            "phone": "13908710101",
            "address": "永兴路30栋1单元201",
        },
    ] + [changshan_entry(*neighbour) for neighbour in CHANGSHAN_NEIGHBOURS]


# Changshan: neighbours of the party household of 5栋1单元, in its unit and in its care:
# (code, name, birth date, care group beside elderly, flat, the phone's last digits).
CHANGSHAN_NEIGHBOURS = [
    ("csh-care-001", "赵淑琴", date(1943, 9, 16), "living_alone", "402", "01"),
    ("csh-care-002", "钱玉林", date(1939, 2, 27), "disabled", "101", "02"),
]


def changshan_entry(
    code: str, name: str, born: date, group: str, flat: str, phone: str
) -> dict[str, Any]:
    """A neighbour the party household visits every month, with their own consent."""
    return {
        "code": code,
        "node_code": "csh-b05-u1",
        "name": name,
        "birth_date": born.isoformat(),
        "care_groups": ["elderly", group],
        "carers": [CHANGSHAN_CARER],
        "consent": _consent(f"{name}本人"),
        "plans": MONTHLY,
        "phone": f"139043100{phone}",
        "address": f"长山花园5栋1单元{flat}",
    }


# (entry, kind, days ago, by, outcome): Mrs Wang's last home visit is overdue, lunch is not.
VISITS = [
    ("yxl-care-001", "home_visit", 9, "yxl-party-household", "精神不错，聊了家常"),
    ("yxl-care-001", "meal_delivery", 2, "yxl-volunteer", "周三午餐已送到"),
    ("yxl-care-002", "home_visit", 5, "yxl-volunteer", "轮椅刹车已修好"),
    ("csh-care-001", "home_visit", 3, "csh-party-household", "代取了降压药"),
    ("csh-care-002", "home_visit", 12, "csh-party-household", "楼下晒太阳，精神好"),
]
# 赵红, the red-vest volunteer among Mrs Wang's carers, is also a volunteer in volunteers, linked
# to her account: her visits from her registration on earn her service hours and points (issue
# #18). Mrs Wang's party household neighbour is no registered volunteer: her visits earn nothing.
CARE_VOLUNTEERS = [
    {
        "community_code": "yongxinglu",
        "name": "赵红",
        "contact": "13908719001",
        "home_node_path": ["yxl-g01", "yxl-b01"],
        "skills": ["elder_care"],
        "account": "yxl-volunteer",
    }
]
# Every name and phone of the demo register: none may appear on a stream (tests scan for them).
PERSONAL = [v for e in entries(date(2000, 1, 1)) for v in (e["name"], e["phone"], e["address"])]


async def load_care(http: httpx.AsyncClient, now: datetime | None = None) -> dict[str, int]:
    """Register the entries and (for a new entry) its past visits, as its carers (whose demo
    accounts `open_accounts` opened)."""
    now = now or datetime.now(UTC)
    created: dict[str, int] = {}
    new = []
    for entry in entries(now.date()):
        answer = await http.post("/care/entries", json=entry)
        if answer.status_code == 201:
            new.append(entry["code"])
        elif answer.status_code != 409:
            raise RuntimeError(f"care entry {entry['code']}: {answer.text}")
    created["entries"] = len(new)
    tokens: dict[str, str] = {}
    for code, kind, days, by, outcome in VISITS:
        if code not in new:
            continue
        if by not in tokens:
            form = {"grant_type": "password", "username": by, "password": PASSWORD}
            answer = await http.post("/oauth/token", data=form, headers={"Authorization": ""})
            answer.raise_for_status()
            tokens[by] = answer.json()["access_token"]
        at = (now - timedelta(days=days)).isoformat()
        answer = await http.post(
            f"/care/entries/{code}/visits",
            json={"kind": kind, "outcome": outcome, "at": at},
            headers={"Authorization": f"Bearer {tokens[by]}"},
        )
        answer.raise_for_status()
        created["visits"] = created.get("visits", 0) + 1
    return created


async def load_care_volunteers(http: httpx.AsyncClient) -> dict[str, int]:
    """The carers who are volunteers, registered in volunteers (at `http`) unless they are."""
    created = 0
    for volunteer in CARE_VOLUNTEERS:
        query = {"community_code": volunteer["community_code"]}
        have = await http.get("/volunteers", params=query)
        have.raise_for_status()
        if any(v["name"] == volunteer["name"] for v in have.json()):
            continue
        answer = await http.post("/volunteers", json=volunteer)
        answer.raise_for_status()
        created += 1
    return {"care_volunteers": created} if created else {}
