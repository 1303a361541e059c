"""Party households (党员家庭户) per grid, for the care card: how many a grid has and how many
neighbouring households they keep an eye on (each links 20–30). Figures from organisation's party
organisations and grid tree: a party household sits at one node, its grid is the grid on that
node's path. Codes and counts only; a party household's name never leaves organisation's pages."""

from __future__ import annotations

from collections.abc import Iterable


def grids_of(nodes: Iterable[dict], within: frozenset[str] = frozenset()) -> set[str]:
    """The grids among organisation's nodes; with `within` (a grid leader's subtree roots) only
    those her work covers: a root at the grid or above it, or one of its micro-grids."""
    path_of = _paths(nodes)
    grids = {n["code"] for n in nodes if n.get("kind") == "grid"}
    if not within:
        return grids
    return {
        g
        for g in grids
        if within & set(path_of[g]) or any(g in path_of.get(root, []) for root in within)
    }


def by_grid(
    parties: Iterable[dict], nodes: Iterable[dict], grids: set[str]
) -> dict[str, dict[str, int]]:
    """{grid code: {"party_households": n, "linked_households": m}} for `grids`, in code order."""
    path_of = _paths(nodes)
    found: dict[str, dict[str, int]] = {}
    for party in parties:
        if party.get("kind") != "party_household":
            continue
        for node in party.get("node_codes") or []:
            grid = next((code for code in path_of.get(node, []) if code in grids), None)
            if grid is None:
                continue  # a node outside the grids (the community's own): no row to put it in
            row = found.setdefault(grid, {"party_households": 0, "linked_households": 0})
            row["party_households"] += 1
            row["linked_households"] += party.get("linked_households") or 0
    return {grid: found[grid] for grid in sorted(found)}


def _paths(nodes: Iterable[dict]) -> dict[str, list[str]]:
    return {n["code"]: n.get("path") or [n["code"]] for n in nodes}


def totals(rows: Iterable[dict]) -> dict[str, int]:
    """The card's line over all its grids: party households, and the households they link."""
    rows = list(rows)
    return {
        name: sum(row.get(name, 0) for row in rows)
        for name in ("party_households", "linked_households")
    }
