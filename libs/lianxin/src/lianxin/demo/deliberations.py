"""The demo's residents' deliberations (议事), from the articles, loaded through resources.

- Story 15, the bench meeting (Changshan Garden's 楼栋板凳会): twelve households of building 5
  meet about bicycles blocking the stairwell; a shed in the yard becomes a need, a fire check of
  the stairwell an incident for the fire station, a cleaning rota is settled by the building.
- Story 5, the inheritance case (Changshan): an old man who lived alone died without a will; the
  niece and nephew who cared for him could not inherit. The community and its mediation
  committee talk it through with the residents and ask the Kuancheng district court for a
  circuit hearing in the community (an incident, whistled to the court; nearly 100 residents
  watched the hearing). Then a residents' council starts a will registry, which the community
  runs itself (over 200 wills in five years).
- Story 4, the little wooden house (Longze Shuyuan's 小木屋说事议事): the mediators ("和事佬")
  settle a noise dispute between neighbours in the compound.

Changshan's demo tree has grids, buildings and units but no micro-grid, and incidents takes
reports in micro-grids only: `STAIRCASE_GRID` adds the fourth grid's micro-grid (building 5's),
through organisation, for the incidents these deliberations raise. Names and dates are made up
for the demo; the figures are the articles'.

Idempotent: a deliberation is looked up by its topic; what exists is left as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from lianxin.demo.calls import Calls

TZ = "+08:00"

STAIRCASE_GRID = {
    "code": "csh-g04-m1",
    "name": "第四网格第一微网格（5栋）",
    "kind": "micro_grid",
    "community_code": "changshan",
    "parent_code": "csh-g04",
}

BENCH_MEETING = {
    "community_code": "changshan",
    "kind": "bench_meeting",
    "grid_node_code": "csh-b05",
    "topic": "5栋楼道自行车堵塞",
}
BENCH_HOUSEHOLDS = [f"5栋{u}单元{f}01" for u in (1, 2, 3) for f in (1, 2, 3, 4)]  # twelve
BENCH_ITEMS = ["在院内建一个自行车棚", "请消防站检查楼道消防通道", "楼栋每周轮值清理楼道"]
SHED_NEED = {"category": "facilities", "affected": "5栋住户", "affected_count": 36}
FIRE_CHECK = {
    "micro_grid_code": STAIRCASE_GRID["code"],
    "category": "fire_safety",
    "urgency": "utilities",
}
ROTA = "十二户每周一户轮值，楼栋长每周五检查"

INHERITANCE = {
    "micro_grid_code": STAIRCASE_GRID["code"],
    "category": "dispute_mediation",
    "urgency": "complex",
    "description": "独居老人去世未立遗嘱，尽了赡养义务的外甥女和外甥不是法定继承人，无法继承遗产",
    "affected_households": 1,
    "reporter": "党员信息员",
}
MEDIATION = {
    "community_code": "changshan",
    "kind": "mediation",
    "level": "community",
    "grid_node_code": "changshan",
    "topic": "马老遗产继承纠纷",
}
MEDIATION_ITEMS = ["商请宽城区人民法院巡回法庭在社区开庭审理"]
COUNCIL = {
    "community_code": "changshan",
    "kind": "residents_council",
    "grid_node_code": "changshan",
    "topic": "建立老人遗嘱库",
}
WILL_REGISTRY = "社区建立遗嘱库，为老人免费登记遗嘱（五年来已为200多名老人建立遗嘱）"

WOODEN_HOUSE = {
    "community_code": "longze",
    "kind": "mediation",
    "level": "building",
    "grid_node_code": "lz-b03",
    "topic": "3号楼楼上楼下噪音纠纷（小木屋说事议事）",
}
NOISE_SETTLED = "楼上晚十点后不再使用跑步机，楼下不再敲暖气管；和事佬一月后回访"


async def record(
    call: Calls, demo: Deliberation, incident_ids: Sequence[str] = ()
) -> dict[str, Any]:
    """One deliberation, recorded and closed as its recorder would, step by step."""
    at = datetime.now(UTC) - timedelta(days=demo.days_ago)
    held = {**demo.held, "held_at": at.isoformat(), "incident_ids": list(incident_ids)}
    d = await call("POST", "/deliberations", held)
    path = f"/deliberations/{d['id']}"
    attendance = {"households": list(demo.households), "mediators": list(demo.mediators)}
    await call("PUT", f"{path}/agenda", {"agenda": [demo.held["topic"]]})
    await call("PUT", f"{path}/attendance", attendance)
    for text in demo.items:
        await call("POST", f"{path}/items", {"text": text})
    await call("PUT", f"{path}/minutes", {"minutes": demo.minutes})
    return await call("POST", f"{path}/close")


async def once_grid_known(http: httpx.AsyncClient, path: str, body: dict[str, Any]) -> Any:
    """`POST path`'s answer, retried while incidents does not know the micro-grid yet (its read
    model follows the ORG stream, a moment behind organisation)."""
    what = f"POST {path}"
    for _ in range(120):
        response = await http.post(path, json=body)
        if response.status_code == 201:
            return response.json()
        if response.status_code != 422 or "micro_grid_code" not in response.text:
            raise RuntimeError(f"{what}: {response.status_code} {response.text}")
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{what}: incidents never learnt of the micro-grid")


async def ensure_staircase_grid(org: httpx.AsyncClient) -> None:
    answer = await org.post("/grid-nodes", json=STAIRCASE_GRID)
    if answer.status_code not in (201, 409):
        raise RuntimeError(f"POST /grid-nodes: {answer.status_code} {answer.text}")


@dataclass(frozen=True)
class Deliberation:
    """One demo deliberation: what its recorder records, and what each agreed item became."""

    held: dict[str, Any]
    items: Sequence[str]
    minutes: str
    households: Sequence[str] = ()
    mediators: Sequence[str] = ()
    days_ago: float = 3
    # (item number, "need" | "incident" | "resolution", body); TALKED_THROUGH links the item to
    # the incident `reports` reported before the meeting.
    outcomes: Sequence[tuple[int, str, dict[str, Any]]] = ()
    reports: dict[str, Any] | None = None


TALKED_THROUGH: dict[str, Any] = {}

DELIBERATIONS = (
    Deliberation(
        BENCH_MEETING,
        BENCH_ITEMS,
        "5栋十二户居民到会，楼栋长记录：议定建车棚、请消防检查、楼栋轮值清理。",
        households=BENCH_HOUSEHOLDS,
        outcomes=[
            (1, "need", SHED_NEED),
            (2, "incident", FIRE_CHECK),
            (3, "resolution", {"settlement": ROTA}),
        ],
    ),
    Deliberation(
        MEDIATION,
        MEDIATION_ITEMS,
        "社区党委、调解委员会与居民共议：情理上外甥女、外甥尽了赡养义务，商请法院依法审理。",
        households=["马老外甥女家", "马老外甥家"],
        mediators=["社区人民调解委员会", "和事佬代表"],
        days_ago=30,
        outcomes=[(1, "incident", TALKED_THROUGH)],
        reports=INHERITANCE,
    ),
    Deliberation(
        COUNCIL,
        ["建立遗嘱库，为辖区老人登记遗嘱"],
        "案件审结后召集居民议事会：为避免同类继承纠纷，社区建立遗嘱库。",
        households=[f"居民代表{n}" for n in range(1, 16)],
        mediators=["社区人民调解委员会"],
        days_ago=20,
        outcomes=[(1, "resolution", {"settlement": WILL_REGISTRY})],
    ),
    Deliberation(
        WOODEN_HOUSE,
        ["双方各退一步：夜间不再使用跑步机、不再敲暖气管"],
        "小区党组织在小木屋组织双方和和事佬说事，当场达成一致。",
        households=["3号楼501", "3号楼401"],
        mediators=["和事佬老刘", "和事佬张姐"],
        days_ago=1,
        outcomes=[(1, "resolution", {"settlement": NOISE_SETTLED})],
    ),
)


async def load_deliberations(
    org: httpx.AsyncClient, resources: httpx.AsyncClient, incidents: httpx.AsyncClient
) -> dict[str, int]:
    """Returns how many deliberations were recorded on this run."""
    call = Calls(resources)
    have = {
        d["topic"]
        for c in ("changshan", "longze")
        for d in await call("GET", "/deliberations", community_code=c)
    }
    for demo in DELIBERATIONS:
        if demo.held["topic"] in have:
            continue
        talked: list[str] = []
        if demo.reports or any(turn == "incident" for _, turn, _ in demo.outcomes):
            await ensure_staircase_grid(org)
        if demo.reports:
            reported = await once_grid_known(incidents, "/incidents", demo.reports)
            talked.append(reported["id"])
        d = await record(call, demo, talked)
        for number, turn, body in demo.outcomes:
            path = f"/deliberations/{d['id']}/items/{number}/{turn}"
            sent = {"incident_id": talked[0]} if body is TALKED_THROUGH else body
            if turn == "incident":
                await once_grid_known(resources, path, sent)
            else:
                await call("POST", path, sent)
        call.count("deliberations")
    return call.created
