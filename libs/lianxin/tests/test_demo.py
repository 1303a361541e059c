"""The demo data set, without I/O: the articles' figures, and what the end-to-end tests rely on."""

from __future__ import annotations

from collections import Counter
from datetime import date

from lianxin.demo import (
    DEPARTMENTS,
    FIGURES,
    GRID_NODES,
    MEMBER_UNITS,
    PARTY_ORGANISATIONS,
    PEOPLE,
    care,
)
from lianxin.demo.accounts import ACCOUNTS
from lianxin.demo.figures import split


def test_split_adds_up_exactly() -> None:
    assert sorted(split(2803, [1] * 86)) == [32] * 35 + [33] * 51
    assert sum(split(12116, [91, 97, 100, 94])) == 12116


def test_codes_are_unique_and_parents_come_first() -> None:
    for items in (GRID_NODES, PARTY_ORGANISATIONS, PEOPLE, MEMBER_UNITS, DEPARTMENTS):
        codes = [i["code"] for i in items]
        assert len(codes) == len(set(codes))
    seen: set[str] = set()
    for node in GRID_NODES:
        assert node["parent_code"] is None or node["parent_code"] in seen
        seen.add(node["code"])


def test_the_trees_add_up_to_the_articles_figures() -> None:
    for community, figures in FIGURES.items():
        nodes = [n for n in GRID_NODES if n["community_code"] == community]
        kinds = Counter(n["kind"] for n in nodes)
        for kind in ("grid", "compound", "micro_grid", "building", "unit"):
            if f"{kind}s" in figures:
                assert kinds[kind] == figures[f"{kind}s"], (community, kind)
        for count in ("households", "residents", "merchants"):
            if count in figures:
                assert sum(n.get(count, 0) for n in nodes) == figures[count], (community, count)
    micro = [n for n in GRID_NODES if n["kind"] == "micro_grid"]
    assert all(90 <= n["households"] <= 100 for n in micro)  # Taipingjie: 90–100 households
    business = [n for n in GRID_NODES if n.get("grid_type") == "business_district"]
    assert len(business) == FIGURES["taipingjie"]["business_district_grids"]


def test_the_member_units_and_people_match_the_articles() -> None:
    units = Counter((u["community_code"], u["relation"]) for u in MEMBER_UNITS)
    assert units[("taipingjie", "resident")] == 30
    assert units[("yongxinglu", "resident")] == 3
    assert units[("yongxinglu", "co_building")] == 28
    roles = Counter(r["role"] for p in PEOPLE for r in p.get("roles", []))
    assert roles["building_leader"] == 86 + 10 and roles["unit_leader"] == 45
    assert roles["micro_grid_leader"] == 44 and roles["grid_inspector"] == 44
    assert sum(1 for p in PEOPLE if p["code"].startswith("tpj-p")) == 105
    assert all("phone" not in p for p in PEOPLE)


def test_what_the_end_to_end_tests_rely_on_is_there() -> None:
    nodes = {n["code"]: n for n in GRID_NODES}
    assert nodes["tpj-g01"]["kind"] == "grid" and nodes["tpj-g01"]["community_code"] == "taipingjie"
    assert nodes["tpj-g01-m01"]["kind"] == "micro_grid"
    assert nodes["tpj-g01-m01"]["parent_code"] == "tpj-c01"  # 朝华新城, under tpj-g01
    assert nodes["tpj-c01"]["parent_code"] == "tpj-g01" and nodes["tpj-c01"]["name"] == "朝华新城"
    power = next(d for d in DEPARTMENTS if d["code"] == "power_supply")
    assert "power_supply" in power["categories"]


def test_changshans_party_households_keep_an_eye_on_their_neighbours_in_the_care_demo() -> None:
    households = [
        p
        for p in PARTY_ORGANISATIONS
        if p["community_code"] == "changshan" and p["kind"] == "party_household"
    ]
    # The article's 161 party households, each linking 20–30 neighbouring households.
    assert len(households) == FIGURES["changshan"]["party_households"] == 161
    assert all(20 <= p["linked_households"] <= 30 for p in households)
    # The care demo's carer is one of them, and its neighbours in care live at its unit.
    [carer_household] = [p for p in households if p["code"] == care.CHANGSHAN_PARTY_HOUSEHOLD]
    in_changshan = [e for e in care.entries(date(2026, 11, 29)) if e["code"].startswith("csh-")]
    assert len(in_changshan) == 2  # a few named neighbours; the rest are figures
    for entry in in_changshan:
        assert entry["node_code"] == carer_household["node_codes"][0]
        assert [c["kind"] for c in entry["carers"]] == ["party_household"]
    # Every carer and grid leader of the register signs in with a demo account.
    accounts = {a["username"] for a in ACCOUNTS}
    carers = {c["username"] for e in care.entries(date(2026, 11, 29)) for c in e["carers"]}
    assert carers <= set(care.CARE_ACCOUNTS) <= accounts
