"""The organisation's HTTP API: the routes every aggregate shares, and the explicit ones of the
big committee and the grid tree."""

from __future__ import annotations

from fastapi import APIRouter

from organisation.entrypoints import care_api, committees, grid, names_api, resources

router = APIRouter()
for part in (resources, committees, grid, care_api, names_api):
    router.include_router(part.router)
