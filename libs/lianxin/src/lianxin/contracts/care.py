"""Events of the care register (stream ORG, subjects `org.care_*`).

The register holds the most sensitive personal data on the platform; its events carry figures
and codes only: never a name, a phone, an address, a birth date, a health note or a visit's
outcome, and not even the entry's code (a care entry is known outside organisation only as a
count in its grid). A test scans the streams for the demo entries' names and phones.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from lianxin.contracts.envelope import EventData

CareGroup = Literal["elderly", "living_alone", "disabled", "low_income"]
# A visit or service takes at most a working day (a hospital escort can); longer is a mistake.
MINUTES_MAX = 720
VisitKind = Literal["home_visit", "meal_delivery", "escort_to_doctor", "free_clinic", "haircut"]


class CareCountsChanged(EventData):
    """A grid's register changed: how many people it holds now, in total and per care group."""

    SUBJECT: ClassVar[str] = "org.care_grid.counts_changed"
    AGGREGATE_ID: ClassVar[str] = "grid_code"

    community_code: str
    grid_code: str
    people: int = Field(ge=0)
    by_group: dict[CareGroup, int]
    at: datetime


class CareVisitRecorded(EventData):
    """A carer recorded a visit or service; `needs_follow_up` when it asks for a need."""

    SUBJECT: ClassVar[str] = "org.care_visit.recorded"
    AGGREGATE_ID: ClassVar[str] = "visit_id"

    visit_id: str
    community_code: str
    grid_code: str
    kind: VisitKind
    at: datetime
    needs_follow_up: bool = False
    visitor: str | None = Field(
        None,
        description="The account of the carer who did it (never the person cared for), so that "
        "volunteers can count a registered volunteer's visit as her service; none when the "
        "visitor is the person's family contact, whose account could point at the person.",
    )
    minutes: int | None = Field(None, ge=1, le=MINUTES_MAX, description="How long it took.")
