"""The resources pages (issue #12) as one router for the app: the five lists, scorecards and the
dashboard's figures, joint meetings and projects, the wish board."""

from __future__ import annotations

from fastapi import APIRouter

from console.entrypoints import list_pages, meeting_pages, project_pages, wish_pages

router = APIRouter()
for part in (list_pages, meeting_pages, project_pages, wish_pages):
    router.include_router(part.router)
