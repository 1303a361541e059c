"""The feedback list's route: a community's last closed meeting and where its decisions stand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lianxin.auth import Caller
from resources.entrypoints.schemas import RT, out
from resources.service_layer.feedback import current_feedback

router = APIRouter(tags=["meetings and projects"])


@router.get("/feedback")
async def feedback(
    community_code: str,
    rt: RT,
    p: Caller,
) -> dict[str, Any]:
    """反馈清单: each decision of the community's last closed joint meeting and its state now
    (`meeting` null and no items before the first meeting closes)."""
    meeting, items = await current_feedback(rt.uow(), p, community_code)
    held = None
    if meeting is not None:
        held = {
            "id": str(meeting.id),
            "quarter": str(meeting.quarter),
            "scheduled_at": meeting.scheduled_at.isoformat(),
            "closed_at": meeting.closed_at.isoformat() if meeting.closed_at else None,
        }
    return {"community_code": community_code, "meeting": held, "items": [out(i) for i in items]}
