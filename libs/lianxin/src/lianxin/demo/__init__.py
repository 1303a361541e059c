"""The demo alliance, built from the articles' figures and loaded through organisation's HTTP API.

Four communities of the articles — Yongxinglu (Kunming), Taipingjie (Chongqing), Longze Shuyuan
(Qingdao) and Changshan Garden (Changchun) — in one alliance, with Taipingjie also in the real
Nanmenshan alliance; the departments they whistle to; their member units and big committees;
their grid trees, party organisations and grid officers, generated to add up to `FIGURES`.
"""

from __future__ import annotations

from lianxin.demo.figures import FIGURES
from lianxin.demo.loader import load, load_demo
from lianxin.demo.organisations import (
    ALLIANCES,
    BIG_COMMITTEES,
    COMMUNITIES,
    DEPARTMENTS,
    DISTRICTS,
    MEMBER_UNITS,
    STREETS,
)
from lianxin.demo.trees import TREES

# Every grid node of the demo alliance (each with its `community_code`): incidents knows the
# demo once its read model holds all of them.
GRID_NODES = [node for nodes, _, _ in TREES.values() for node in nodes]
PARTY_ORGANISATIONS = [org for _, orgs, _ in TREES.values() for org in orgs]
PEOPLE = [person for _, _, people in TREES.values() for person in people]

__all__ = [
    "ALLIANCES",
    "BIG_COMMITTEES",
    "COMMUNITIES",
    "DEPARTMENTS",
    "DISTRICTS",
    "FIGURES",
    "GRID_NODES",
    "MEMBER_UNITS",
    "PARTY_ORGANISATIONS",
    "PEOPLE",
    "STREETS",
    "load",
    "load_demo",
]
