"""The grid tree, nested for display: community → grid → micro-grid → building."""

from __future__ import annotations


def grid_tree(nodes: list[dict], people: list[dict] = ()) -> list[dict]:
    """Nest the flat node list under each node's parent, roots first, in path order; each node
    carries `posts`: who holds which grid role there (一长六员, building and unit leaders)."""
    posts = posts_by_node(people)
    by_code = {n["code"]: {**n, "children": [], "posts": posts.get(n["code"], [])} for n in nodes}
    roots = []
    for node in sorted(by_code.values(), key=lambda n: n["path"]):
        parent = by_code.get(node.get("parent_code") or "")
        (parent["children"] if parent else roots).append(node)
    return roots


def posts_by_node(people: list[dict]) -> dict[str, list[dict]]:
    """node code → [{role, name}], from the people's roles."""
    found: dict[str, list[dict]] = {}
    for person in people:
        for held in person.get("roles") or []:
            found.setdefault(held["node_code"], []).append(
                {"role": held["role"], "name": person.get("name", ""), "code": person["code"]}
            )
    return found


def count_by_kind(nodes: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["kind"]] = counts.get(node["kind"], 0) + 1
    return counts
