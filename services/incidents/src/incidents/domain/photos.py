"""An incident's photos: what the reporter, the grid, coordinators and departments attach.

A photo is checked by what it is, not by what it says it is: its first bytes name its type
(`lianxin.photos.sniff`), its size is limited, and an incident holds a bounded number. What is
kept and served is a re-encoded copy without the camera's metadata (EXIF: where and when it was
taken, the phone's model), made by the adapters; the domain never holds the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from lianxin.errors import Conflict, RuleBroken
from lianxin.photos import PHOTO_TYPES, sniff

# An incident's photos, all told: enough for a before, a during and an after of each department.
MAX_PER_INCIDENT = 20
# An incident that is over takes no more photos: nobody would act on them.
FINAL_STATES = {"closed", "cancelled", "rejected", "merged"}
FIELD = "photo"


def check_size(size: int | None, limit: int) -> None:
    """Refuse an empty upload or one over `limit` bytes: callable with a declared length before
    anything is read, and again with the count of what was read."""
    if size is not None and size > limit:
        mib = round(limit / 1024 / 1024, 1)
        raise RuleBroken(
            FIELD,
            f"a photo may be at most {limit} bytes",
            type_="photo_too_large",
            ctx={"limit_mb": int(mib) if mib == int(mib) else mib},
        )
    if size == 0:
        raise RuleBroken(FIELD, "the photo is empty", type_="photo_type")


def check_type(head: bytes) -> str:
    """The photo's media type from its first bytes; not a photo we take: refused."""
    found = sniff(head)
    if found is None:
        raise RuleBroken(
            FIELD,
            f"not a photo: send one of {', '.join(PHOTO_TYPES)}",
            type_="photo_type",
        )
    return found


def check_attachable(status: str, count: int) -> None:
    """An incident takes photos while it is open, up to `MAX_PER_INCIDENT`."""
    if status in FINAL_STATES:
        raise Conflict(f"a {status} incident takes no more photos")
    if count >= MAX_PER_INCIDENT:
        raise RuleBroken(
            FIELD,
            f"an incident holds at most {MAX_PER_INCIDENT} photos",
            type_="photo_count",
            ctx={"max": MAX_PER_INCIDENT},
        )


@dataclass(frozen=True)
class Photo:
    """One photo of an incident, as listed: who attached it, when. Whatever it arrived as, it is
    served as one JPEG (`adapters.images`), so no type is kept."""

    id: UUID
    incident_id: UUID
    uploaded_by: str
    uploaded_at: datetime

    @classmethod
    def attach(cls, incident_id: UUID, uploaded_by: str, now: datetime) -> Photo:
        return cls(uuid4(), incident_id, uploaded_by, now)
