"""The articles' own figures for the four communities (see ../shared/seeds/), which the generated
demo trees add up to. Only what an article states is here."""

from __future__ import annotations

FIGURES: dict[str, dict[str, int]] = {
    # Kunming, Xishan district, Yongchang street: 4 grids, 2,803 households, 8,350 residents,
    # 183 merchants, 86 buildings (a party household in each), 3 resident + 28 co-building units.
    "yongxinglu": {
        "grids": 4,
        "buildings": 86,
        "households": 2803,
        "residents": 8350,
        "merchants": 183,
        "grid_party_branches": 4,
        "party_households": 86,
        "building_leaders": 86,
        "resident_units": 3,
        "co_building_units": 28,
    },
    # Chongqing, Fuling district, Dunren street: 10 grids (7 residential, 3 business districts),
    # 7 compounds, 44 micro-grids of 90–100 households, 12,116 residents, 2,775 merchants,
    # 100 party households, 30 member units, 96 in-service party members, 105 people in the
    # micro-grids' posts (一长六员).
    "taipingjie": {
        "grids": 10,
        "business_district_grids": 3,
        "compounds": 7,
        "micro_grids": 44,
        "residents": 12116,
        "merchants": 2775,
        "grid_party_branches": 10,
        "party_households": 100,
        "resident_units": 30,
        "in_service_members": 96,
        "micro_grid_officers": 105,
    },
    # Qingdao, Laoshan district, Shazikou street: 10 buildings, 875 households, 2 grids,
    # 75 merchants; a party branch for the compound, party groups over the buildings.
    "longze": {
        "grids": 2,
        "buildings": 10,
        "households": 875,
        "merchants": 75,
        "grid_party_branches": 1,
        "building_party_groups": 10,
        "co_building_units": 3,
    },
    # Changchun, Kuancheng district, Tuanshan street: 3,100 households, about 7,000 residents,
    # 10 grids, 11 buildings, 45 units, 10 building leaders, 45 unit leaders, 24 building party
    # groups, 161 party households.
    "changshan": {
        "grids": 10,
        "buildings": 11,
        "units": 45,
        "households": 3100,
        "residents": 7000,
        "grid_party_branches": 10,
        "building_party_groups": 24,
        "party_households": 161,
        "building_leaders": 10,
        "unit_leaders": 45,
    },
}


def split(total: int, weights: list[int]) -> list[int]:
    """`total` in parts proportional to `weights`, adding up exactly (largest remainders)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    parts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts
