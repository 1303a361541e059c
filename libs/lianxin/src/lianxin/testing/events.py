"""Builders of the events one service reads from another, for the readers' tests.

`escalation` is incidents' `IncidentEscalated` for a flood (wartime unless told otherwise),
`closed_wish` resources' 销单 as volunteers credits it, and `as_sent` wraps either in the CloudEvent
its publisher would send (`source` from the contract's context).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from lianxin.contracts import CloudEvent, EventData, new_event
from lianxin.contracts.incidents import IncidentEscalated
from lianxin.contracts.resources import ClaimantKind, WishClosed


def escalation(
    community_code: str = "changshan", micro_grid_code: str = "cs-g1-m1", *, wartime: bool = True
) -> IncidentEscalated:
    """A flood escalated in `micro_grid_code` (its grid is the code without the last part)."""
    return IncidentEscalated(
        incident_id=uuid4(),
        community_code=community_code,
        micro_grid_code=micro_grid_code,
        grid_path=[micro_grid_code.rsplit("-", 1)[0], micro_grid_code],
        category="flood",
        urgency="emergency",
        wartime=wartime,
        description="暴雨积水",
        affected_households=30,
        department_codes=["water"],
    )


def closed_wish(
    claimant_id: object,
    community_code: str = "changshan",
    claimant_kind: ClaimantKind = "party_member",
) -> WishClosed:
    """A micro-wish closed (销单) on 1 March 2026, 10:00 UTC, claimed by `claimant_id`."""
    return WishClosed(
        wish_id=uuid4(),
        community_code=community_code,
        claimant_kind=claimant_kind,
        claimant_id=str(claimant_id),
        at=datetime(2026, 3, 1, 10, tzinfo=UTC),
    )


def as_sent(data: EventData) -> CloudEvent:
    """`data` as its publisher sends it: a new CloudEvent (a new id) from `/lianxin/<context>`."""
    return new_event(data, source=f"/lianxin/{data.TYPE.split('.')[2]}")
