"""Across reports and communities, a part of the incident aggregate (see `Incident`): raising an
incident to the alliance for joint handling (风险联判), and merging duplicate reports into one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from incidents.domain import events
from incidents.domain.values import BEFORE_HANDLING, OPEN, IncidentStatus, require_status
from lianxin.errors import RuleBroken

if TYPE_CHECKING:
    from incidents.domain.incident import Incident


class AcrossReports:
    id: UUID
    community_code: str
    category: str
    status: IncidentStatus
    affected_households: int
    affected_merchants: int
    photos: list[str]
    shared_with: set[str]
    merged_ids: list[UUID]
    events: list[object]

    def share_with_alliance(
        self, community_codes: Iterable[str], reason: str, actor: str, now: datetime
    ) -> None:
        """Raise a problem that crosses communities to the alliance: joint risk assessment
        (风险联判) and joint handling; the other communities' coordinators see it and take part."""
        require_status("an incident", self.status, OPEN, "shared")
        codes = set(community_codes)
        if not codes or any(not code.strip() for code in codes):
            raise RuleBroken("community_codes", "name the communities to share it with")
        if self.community_code in codes:
            raise RuleBroken("community_codes", "an incident is its own community's already")
        added = codes - self.shared_with
        if not added:
            raise RuleBroken("community_codes", "it is shared with these communities already")
        self.shared_with |= added
        self._log(now, "shared", actor, "+ " + ", ".join(sorted(added)) + _colon(reason))
        self.events.append(
            events.IncidentShared(
                self.id,
                self.community_code,
                sorted(self.shared_with),
                sorted(added),
                reason,
                actor,
                now,
            )
        )

    def merge(self, duplicate: Incident, actor: str, now: datetime) -> None:
        """Take a duplicate report in: it shares this incident's outcome from now on, and its
        households and merchants add up to this one's. Each incident gets one timeline line."""
        if duplicate.id == self.id:
            raise RuleBroken("duplicate_id", "an incident cannot be merged into itself")
        require_status("an incident", self.status, OPEN, "merged into")
        if duplicate.status not in BEFORE_HANDLING:
            raise RuleBroken(
                "duplicate_id", f"a duplicate that is {duplicate.status} cannot be merged"
            )
        if (duplicate.community_code, duplicate.category) != (self.community_code, self.category):
            raise RuleBroken("duplicate_id", "a duplicate is of the same community and category")
        if duplicate.merged_ids:
            raise RuleBroken("duplicate_id", "it has duplicates of its own: merge into it instead")
        duplicate.status = IncidentStatus.MERGED
        duplicate.merged_into = self.id
        duplicate._log(now, "merged_into", actor, str(self.id))
        self.affected_households += duplicate.affected_households
        self.affected_merchants += duplicate.affected_merchants
        self.photos.extend(ref for ref in duplicate.photos if ref not in self.photos)
        self.merged_ids.append(duplicate.id)
        self._log(
            now,
            "merged",
            actor,
            f"{duplicate.id}: +{duplicate.affected_households} households, "
            f"+{duplicate.affected_merchants} merchants",
        )
        # One fact about both: told once, on the incident that goes on.
        self.events.append(
            events.IncidentMerged(
                self.id,
                duplicate.id,
                self.community_code,
                self.affected_households,
                self.affected_merchants,
                actor,
                now,
            )
        )


def _colon(reason: str) -> str:
    return f": {reason}" if reason else ""
