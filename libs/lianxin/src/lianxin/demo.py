"""The demo alliance, loaded through organisation's HTTP API (so every row is also an event).

Loading is idempotent: what already exists (409) is left as it is, so a second run changes nothing.
"""

from __future__ import annotations

import httpx

COMMUNITIES = [
    {"code": "taipingjie", "name": "太平街社区", "street": "解放碑街道"},
]

GRID_NODES = [
    {
        "code": "tpj-g01",
        "name": "第一网格 朝华新城",
        "kind": "grid",
        "community_code": "taipingjie",
        "households": 1200,
    },
    {
        "code": "tpj-g01-m01",
        "name": "朝华新城 1 号微网格",
        "kind": "micro_grid",
        "community_code": "taipingjie",
        "parent_code": "tpj-g01",
        "households": 96,
    },
]

DEPARTMENTS = [
    {"code": "power_supply", "name": "供电公司", "categories": ["power_supply"]},
]


def load_demo(organisation_url: str) -> dict[str, int]:
    """Returns how many of each kind were created on this run."""
    created = {"communities": 0, "grid_nodes": 0, "departments": 0}
    with httpx.Client(base_url=organisation_url, timeout=10) as http:
        for path, kind, items in (
            ("/communities", "communities", COMMUNITIES),
            ("/grid-nodes", "grid_nodes", GRID_NODES),
            ("/departments", "departments", DEPARTMENTS),
        ):
            for item in items:
                response = http.post(path, json=item)
                if response.status_code == 201:
                    created[kind] += 1
                elif response.status_code != 409:
                    response.raise_for_status()
    return created
