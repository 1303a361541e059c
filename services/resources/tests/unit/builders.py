"""Builders shared by the resources domain's unit tests: plain objects, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from resources.domain.common import CST
from resources.domain.needs import Need
from resources.domain.resources import ResourceOffer
from resources.domain.wishes import MicroWish

# A Monday in Kunming, start of the year's first quarter.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=CST)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def at(n: float) -> Callable[[], datetime]:
    """A handler's clock, stopped `n` days after T0."""
    return lambda: T0 + days(n)


def a_meeting(chair_unit_code: str, n: float, **extra: Any) -> dict[str, Any]:
    """What a coordinator schedules: Taipingjie's joint meeting `n` days after T0."""
    return {
        "community_code": "taipingjie",
        "chair_unit_code": chair_unit_code,
        "scheduled_at": T0 + days(n),
        **extra,
    }


NEED: dict[str, Any] = {
    "community_code": "yongxinglu",
    "grid_node_code": "yxl-g2",
    "category": "elderly_care",
    "title": "老人户外休息的地方",
    "affected": "elderly residents of grid 2",
    "affected_count": 120,
    "urgency": "normal",
    "source": "resident",
    "recorded_by": "grid-leader-2",
    "now": T0,
}
OFFER: dict[str, Any] = {
    "member_unit_code": "kunming-construction",
    "community_code": "yongxinglu",
    "kind": "expertise",
    "title": "施工队",
    "quantity": 10,
    "unit": "people",
    "available_from": T0,
    "now": T0,
    "categories": ("elderly_care",),
}
# Taipingjie's wheelchair (story 9).
WISH: dict[str, Any] = {
    "community_code": "taipingjie",
    "grid_node_code": "tpj-g3",
    "title": "一台轮椅",
    "resident_name": "张大爷",
    "resident_contact": "13800000000",
    "recorded_by": "grid-3",
    "now": T0,
}


def a_need(**overrides: Any) -> Need:
    return Need.record(**NEED | overrides)


def an_offer(**overrides: Any) -> ResourceOffer:
    return ResourceOffer.file(**OFFER | overrides)


def a_wish(**overrides: Any) -> MicroWish:
    return MicroWish.record(**WISH | overrides)
