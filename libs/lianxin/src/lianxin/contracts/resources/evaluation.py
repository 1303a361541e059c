"""Evaluation (红黑榜, 星级)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from lianxin.contracts.envelope import EventData


class RedBlackListPublished(EventData):
    """A quarter's red list (best scorecards) and black list (lowest) of member units."""

    SUBJECT: ClassVar[str] = "resources.scorecard.red_black_list_published"
    AGGREGATE_ID: ClassVar[str] = "community_code"

    community_code: str
    quarter: str
    red: list[str]
    black: list[str]
    at: datetime


class StarRatingsPublished(EventData):
    """The year-end review: each member unit's stars (1–5), most stars first."""

    SUBJECT: ClassVar[str] = "resources.scorecard.stars_published"
    AGGREGATE_ID: ClassVar[str] = "community_code"

    community_code: str
    year: int
    stars: list[tuple[str, int]]
    at: datetime
