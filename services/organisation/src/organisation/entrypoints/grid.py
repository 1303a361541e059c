"""Routes: the grid tree — nodes, moves, subtree, path, the node serving an address, the posts
of a node, imports. Explicit: every node is answered with its subtree's totals."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, status

from lianxin.errors import NotFound
from organisation.domain.grid import GridNode, GridTree
from organisation.entrypoints.deps import counts, import_body, state, uow
from organisation.entrypoints.imports import MAX_BYTES, read_lines
from organisation.entrypoints.schemas import (
    GridNodeIn,
    GridNodeOut,
    GridNodePatch,
    GridNodeRow,
    Imported,
    MoveIn,
    PersonOut,
)
from organisation.service_layer import grid, handlers
from organisation.service_layer.aggregates import GRID_NODES
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork as UoW

router = APIRouter()


def node_out(node: GridNode, tree: GridTree) -> dict:
    return state(node, totals=counts(tree.totals().get(node.code)))


async def _tree_of(uow: UoW, community_code: str) -> GridTree:
    community = await uow.org.communities.get(community_code)
    if community is None:
        raise NotFound("community", community_code)
    return await uow.org.grid_tree(community)


async def _node_and_tree(uow: UoW, code: str) -> tuple[GridNode, GridTree]:
    async with uow:
        node = await uow.org.grid_nodes.get(code)
        if node is None:
            raise NotFound("grid node", code)
        tree = await _tree_of(uow, node.community_code)
    return tree.nodes[code], tree


@router.post("/grid-nodes", status_code=status.HTTP_201_CREATED, response_model=GridNodeOut)
async def register_grid_node(body: GridNodeIn, uow: UoW = Depends(uow)):
    node = await grid.register_grid_node(uow, **body.model_dump())
    return await get_grid_node(node.code, uow)


@router.get("/communities/{code}/grid-nodes", response_model=list[GridNodeOut])
async def community_grid(
    code: str,
    kind: str | None = None,
    include_retired: bool = False,
    uow: UoW = Depends(uow),
):
    """The community's whole tree, parents before children, each node with its totals."""
    async with uow:
        tree = await _tree_of(uow, code)
    totals = tree.totals()
    return [
        state(n, totals=counts(totals[n.code]))
        for n in sorted(tree.nodes.values(), key=lambda n: n.path)
        if (include_retired or n.active) and kind in (None, n.kind)
    ]


@router.post(
    "/communities/{code}/grid-nodes/import",
    status_code=status.HTTP_201_CREATED,
    response_model=Imported,
    openapi_extra=import_body(GridNodeRow),
    max_body_size=MAX_BYTES,
)
async def import_grid_tree(code: str, request: Request, uow: UoW = Depends(uow)):
    """A community's tree from CSV (header: code,name,kind,parent_code,households,residents,
    merchants,grid_type,addresses) or a JSON array. Parents come before their children. Any bad
    line and nothing is saved: the 422 problem's `errors` name each line and field."""
    lines = await read_lines(request, GridNodeRow)
    added = await grid.import_grid_tree(uow, code, lines)
    return Imported(community_code=code, created=len(added), codes=[n.code for n in added])


@router.get("/communities/{code}/serving-node", response_model=GridNodeOut)
async def serving_node(
    code: str, address: str = Query(min_length=1, max_length=200), uow: UoW = Depends(uow)
):
    """The grid node serving an address of the community, e.g. `5栋2单元301`: the active node
    whose declared address key is the longest prefix of it."""
    async with uow:
        tree = await _tree_of(uow, code)
    node = tree.serving(address)
    if node is None:
        raise NotFound("grid node serving", address)
    return node_out(node, tree)


@router.get("/grid-nodes/{code}", response_model=GridNodeOut)
async def get_grid_node(code: str, uow: UoW = Depends(uow)):
    return node_out(*await _node_and_tree(uow, code))


@router.get("/grid-nodes/{code}/subtree", response_model=list[GridNodeOut])
async def subtree(code: str, include_retired: bool = False, uow: UoW = Depends(uow)):
    """The node and every node under it, parents before children."""
    _, tree = await _node_and_tree(uow, code)
    return [node_out(n, tree) for n in tree.subtree(code) if include_retired or n.active]


@router.get("/grid-nodes/{code}/path", response_model=list[GridNodeOut])
async def path(code: str, uow: UoW = Depends(uow)):
    """From the community's root down to the node."""
    _, tree = await _node_and_tree(uow, code)
    return [node_out(n, tree) for n in tree.path(code)]


@router.patch("/grid-nodes/{code}", response_model=GridNodeOut)
async def update_grid_node(code: str, body: GridNodePatch, uow: UoW = Depends(uow)):
    await handlers.update(uow, GRID_NODES, code, body.model_dump(exclude_unset=True))
    return await get_grid_node(code, uow)


@router.post("/grid-nodes/{code}/move", response_model=GridNodeOut)
async def move_grid_node(code: str, body: MoveIn, uow: UoW = Depends(uow)):
    """Put the node, with its subtree, under another parent of the same community."""
    await grid.move_grid_node(uow, code, body.parent_code)
    return await get_grid_node(code, uow)


@router.post("/grid-nodes/{code}/retirement", response_model=GridNodeOut)
async def retire_grid_node(code: str, uow: UoW = Depends(uow)):
    await grid.retire_grid_node(uow, code)
    return await get_grid_node(code, uow)


@router.get("/grid-nodes/{code}/posts", response_model=list[PersonOut])
async def posts(code: str, role: str | None = None, uow: UoW = Depends(uow)):
    """Who holds the node's posts now (一长六员 of a micro-grid, a building's or unit's leader)."""
    async with uow:
        return [state(p) for p in await uow.org.people.holding(code, role)]
