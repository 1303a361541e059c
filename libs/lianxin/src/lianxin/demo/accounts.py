"""Demo accounts, one or more per role, all with the password `lianxin-demo` (listed in README)."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "lianxin-demo"

ACCOUNTS: list[dict[str, Any]] = [
    {
        "username": "alliance-admin",
        "display_name": "连心联盟管理员",
        "role": "alliance_admin",
        "scope": {"alliance": "lianxin"},
    },
    {
        "username": "dunren-coordinator",
        "display_name": "敦仁街道协调员",
        "role": "street_coordinator",
        "scope": {"streets": ["dunren"]},
    },
    {
        "username": "tpj-coordinator",
        "display_name": "太平街社区协调员",
        "role": "community_coordinator",
        "scope": {"communities": ["taipingjie"]},
    },
    {
        "username": "yxl-coordinator",
        "display_name": "永兴路社区协调员",
        "role": "community_coordinator",
        "scope": {"communities": ["yongxinglu"]},
    },
    {
        "username": "lz-coordinator",
        "display_name": "龙泽书院社区协调员",
        "role": "community_coordinator",
        "scope": {"communities": ["longze"]},
    },
    {
        "username": "cs-coordinator",
        "display_name": "长山花园社区协调员",
        "role": "community_coordinator",
        "scope": {"communities": ["changshan"]},
    },
    {
        "username": "tpj-g01-leader",
        "display_name": "太平街第一网格长",
        "role": "grid_leader",
        "scope": {"grid_nodes": ["tpj-g01"]},
    },
    {
        "username": "tpj-liaison",
        "display_name": "敦仁派出所联络员",
        "role": "member_unit_liaison",
        "scope": {"member_unit": "tpj-u01"},
    },
    {
        "username": "power-operator",
        "display_name": "供电公司调度员",
        "role": "department_operator",
        "scope": {"department": "power_supply"},
    },
    # Volunteers: each account is linked to a volunteer profile in `lianxin.demo.volunteering`.
    {
        "username": "tpj-volunteer",
        "display_name": "周敏（太平街在职党员志愿者）",
        "role": "volunteer",
        "scope": {"communities": ["taipingjie"]},
    },
    {
        "username": "cs-volunteer",
        "display_name": "耿尚彬（长山花园志愿者）",
        "role": "volunteer",
        "scope": {"communities": ["changshan"]},
    },
    {
        "username": "cs-team-leader",
        "display_name": "张立春（红马甲家电维修队队长）",
        "role": "volunteer",
        "scope": {"communities": ["changshan"]},
    },
    # Story 14's grid leader and Mrs Wang's carers, as the care register names them
    # (`lianxin.demo.care`): a party household, a red-vest volunteer, her son.dict[str, Any]] = [
    {
        "username": "yxl-g01-leader",
        "display_name": "永兴路第一网格长",
        "role": "grid_leader",
        "scope": {"grid_nodes": ["yxl-g01"]},
    },
    {
        "username": "yxl-party-household",
        "display_name": "李桂芳（永兴路1栋党员中心户）",
        "role": "volunteer",
        "scope": {"communities": ["yongxinglu"]},
    },
    {
        "username": "yxl-volunteer",
        "display_name": "赵红（永兴路红马甲志愿者）",
        "role": "volunteer",
        "scope": {"communities": ["yongxinglu"]},
    },
    {
        "username": "yxl-family-wang",
        "display_name": "王磊（关爱对象家属）",
        "role": "volunteer",
        "scope": {"communities": ["yongxinglu"]},
    },
    # Changshan's party household of building 5, unit 1 (`lianxin.demo.care`), a carer.
    {
        "username": "csh-party-household",
        "display_name": "孙建华（长山花园5栋1单元党员家庭户）",
        "role": "volunteer",
        "scope": {"communities": ["changshan"]},
    },
]


async def open_accounts(http: httpx.AsyncClient) -> int:
    """Open the demo accounts that do not exist yet; returns how many were opened."""
    opened = 0
    for account in ACCOUNTS:
        answer = await http.post("/accounts", json={**account, "secret": PASSWORD})
        if answer.status_code == 201:
            opened += 1
        elif answer.status_code != 409:
            answer.raise_for_status()
    return opened
