"""Claims of projects, and the practice of one or two projects a year per member unit.

"由“大党委”成员单位各自认领1—2个项目负责推动落实": the platform does not forbid a third claim
(a willing unit is welcome) but says so, and says which units have claimed nothing once the
first quarter is over (1 April, China time), so the secretary can talk to them in time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from resources.domain.common import Quarter

if TYPE_CHECKING:
    from resources.domain.projects import Project

PRACTICE_CLAIMS_PER_YEAR = 2


@dataclass(frozen=True)
class Claim:
    member_unit_code: str
    claimed_at: datetime


@dataclass(frozen=True)
class ClaimFlag:
    member_unit_code: str
    # "beyond_practice": more than two claims this year; "none_by_end_of_q1": no claim by 1 April.
    flag: str
    claims: int


def claim_flags(
    member_unit_codes: Iterable[str], projects: Iterable[Project], year: int, now: datetime
) -> list[ClaimFlag]:
    """Which units the secretary should talk to about their claims in `year`, as of `now`."""
    counts: dict[str, int] = dict.fromkeys(member_unit_codes, 0)
    for project in projects:
        for c in project.claims:
            if Quarter.of(c.claimed_at).year == year and c.claimed_at <= now:
                counts[c.member_unit_code] = counts.get(c.member_unit_code, 0) + 1
    q1_over = now >= Quarter(year, 1).end
    flags: list[ClaimFlag] = []
    for unit, n in counts.items():
        if n > PRACTICE_CLAIMS_PER_YEAR:
            flags.append(ClaimFlag(unit, "beyond_practice", n))
        elif n == 0 and q1_over:
            flags.append(ClaimFlag(unit, "none_by_end_of_q1", 0))
    return flags
