"""Party households (党员家庭户) per grid, for the care card: how many a grid has and how many
neighbouring households they keep an eye on (each links 20–30). Figures from organisation's party
organisations and grid tree: a party household sits at one node, its grid is the grid on that
node's path. Codes and counts only; a party household's name never leaves organisation's pages."""

from __future__ import annotations

from collections.abc import Iterable


def by_grid(
    parties: Iterable[dict], nodes: Iterable[dict], within: frozenset[str] = frozenset()
) -> dict[str, dict[str, int]]:
    """{grid code: {"party_households": n, "linked_households": m}}, grids in code order; with
    `within` (a grid leader's subtree roots) only the grids she serves."""
    nodes = list(nodes)
    path_of = {n["code"]: n.get("path") or [n["code"]] for n in nodes}
    grids = {n["code"] for n in nodes if n.get("kind") == "grid"}
    if within:
        grids = {g for g in grids if _serves(within, g, path_of)}
    found: dict[str, dict[str, int]] = {}
    for party in parties:
        if party.get("kind") != "party_household":
            continue
        for node in party.get("node_codes") or []:
            grid = next((code for code in path_of.get(node, []) if code in grids), None)
            if grid is None:
                continue  # a node outside any grid (the community's own): no row to put it in
            row = found.setdefault(grid, {"party_households": 0, "linked_households": 0})
            row["party_households"] += 1
            row["linked_households"] += party.get("linked_households") or 0
    return {grid: found[grid] for grid in sorted(found)}


def _serves(roots: frozenset[str], grid: str, path_of: dict[str, list[str]]) -> bool:
    """A root at the grid or above it, or a micro-grid of it: her work covers that grid."""
    return bool(roots & set(path_of[grid])) or any(grid in path_of.get(r, []) for r in roots)


def totals(rows: Iterable[dict]) -> dict[str, int]:
    """The card's line over all its grids: party households, and the households they link."""
    rows = list(rows)
    return {
        name: sum(row.get(name, 0) for row in rows)
        for name in ("party_households", "linked_households")
    }
