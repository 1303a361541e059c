"""The organisation's HTTP API: the routes every aggregate shares, and the explicit ones of the
big committee and the grid tree."""

from __future__ import annotations

from fastapi import APIRouter

from organisation.entrypoints import committees, grid, resources

router = APIRouter()
for part in (resources, committees, grid):
    router.include_router(part.router)
