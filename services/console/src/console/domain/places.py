"""The report form's building and unit picker, from the grid nodes incidents lists.

A micro-grid's buildings are the building nodes under it, each with its unit nodes; where the
tree has none there, the address keys the micro-grid declares ("朝华新城1栋"), units unknown.
incidents checks the same against its own read model: this only offers the choices.
"""

from __future__ import annotations

from typing import Any


def buildings_by_micro_grid(nodes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """{micro-grid code: [{"name": building name, "units": [unit names]}]}."""
    units: dict[str, list[str]] = {}
    for node in nodes:
        if node["kind"] == "unit" and node.get("parent_code"):
            units.setdefault(node["parent_code"], []).append(node["name"])
    found: dict[str, list[dict[str, Any]]] = {}
    for micro in (n for n in nodes if n["kind"] == "micro_grid"):
        below = [
            {"name": n["name"], "units": units.get(n["code"], [])}
            for n in nodes
            if n["kind"] == "building" and micro["code"] in (n.get("path") or [])
        ]
        declared = [{"name": key, "units": []} for key in micro.get("addresses") or []]
        found[micro["code"]] = below or declared
    return found
