"""The feedback list's route: a community's last closed meeting and where its decisions stand."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from lianxin.auth import Caller
from lianxin.listings import Filter, Found, Search
from resources.domain.feedback import FeedbackItem
from resources.entrypoints.answers import QUARTER, answer_schema, described
from resources.entrypoints.schemas import RT, out
from resources.service_layer.feedback import current_feedback

router = APIRouter(tags=["meetings and projects"])

STATES = (
    "not_claimed", "on_track", "overdue", "finished_on_time", "finished_late",
    "in_hand", "done", "done_late", "declined", "missing",
)  # fmt: skip
_text = {"type": "string"}
_maybe_at = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
FeedbackAnswer = described(
    {
        "type": "object",
        "required": ["community_code", "meeting", "items"],
        "properties": {
            "community_code": _text,
            "meeting": {
                "anyOf": [
                    {
                        "type": "object",
                        "required": ["id", "quarter", "scheduled_at", "closed_at"],
                        "properties": {
                            "id": {"type": "string", "format": "uuid"},
                            "quarter": QUARTER,
                            "scheduled_at": {"type": "string", "format": "date-time"},
                            "closed_at": _maybe_at,
                        },
                    },
                    {"type": "null"},
                ]
            },
            "items": {"type": "array", "items": answer_schema(FeedbackItem)},
        },
    }
)
FEEDBACK = Search(
    words=("title", "detail"),
    filters=(
        Filter("state", "state", STATES),
        Filter(
            "decision", "decision", ("project_created", "responsibility_given", "need_declined")
        ),
    ),
)


@router.get("/feedback")
async def feedback(
    community_code: str,
    rt: RT,
    p: Caller,
    response: Response,
    found: Found = Depends(FEEDBACK.found),
) -> FeedbackAnswer:
    """反馈清单: each decision of the community's last closed joint meeting and its state now
    (`meeting` null and no items before the first meeting closes); the items that match, the
    `X-Total-Count` header telling how many, for paging with `limit` and `offset`."""
    meeting, items = await current_feedback(rt.uow(), p, community_code)
    held = None
    if meeting is not None:
        held = {
            "id": str(meeting.id),
            "quarter": str(meeting.quarter),
            "scheduled_at": meeting.scheduled_at.isoformat(),
            "closed_at": meeting.closed_at.isoformat() if meeting.closed_at else None,
        }
    return {
        "community_code": community_code,
        "meeting": held,
        "items": found.page([out(i) for i in items], response),
    }
