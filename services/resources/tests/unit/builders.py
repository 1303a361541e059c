"""Builders shared by the resources domain's unit tests: plain objects, no I/O."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from resources.domain.common import CST
from resources.domain.needs import Need
from resources.domain.resources import ResourceOffer

# A Monday in Kunming, start of the year's first quarter.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=CST)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def a_need(**overrides: Any) -> Need:
    values: dict[str, Any] = {
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
    values.update(overrides)
    return Need.record(**values)


def an_offer(**overrides: Any) -> ResourceOffer:
    values: dict[str, Any] = {
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
    values.update(overrides)
    return ResourceOffer.file(**values)
