"""The organisation's HTTP API: one router over the route modules, one per part of the model."""

from __future__ import annotations

from fastapi import APIRouter

from organisation.entrypoints import committees, departments, grid, people, places

router = APIRouter()
for part in (places, committees, departments, grid, people):
    router.include_router(part.router)
