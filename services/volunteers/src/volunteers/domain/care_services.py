"""Care visits and services (走访, 送餐, 送医, 义诊, 理发) as a volunteer's service (issue #18).

Organisation's care register records who visited whom; a visit done by a registered volunteer is
also her service here: the hours it took, and points by her community's rules, credited once per
visit (source key `care_visit:<visit id>`). What counts, as plain rules:

- the visitor is a volunteer of the visit's community (a grid member or party household who is
  not a volunteer earns nothing: they serve in their post, not as volunteers);
- the visit was done while she was registered (a visit before she joined was not volunteering,
  and the rule keeps a credit from depending on which of two events arrived first);
- the hours are the visit's minutes; a visit without a length is paid as one hour's worth with no
  hours, as a fulfilled micro-wish is.

Nothing of the person cared for comes here: the event names the kind, the grid and the visitor.
The service's words are what the volunteer's passbook and service record show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from lianxin.errors import require
from volunteers.domain.volunteers import Volunteer

SOURCE = "care_visit"
# The register's visit kinds (organisation's VISIT_KINDS) in the words, in its order; the
# volunteer sees 关爱 and the word (关爱送餐). A free clinic is paid as health care, the rest as
# elder care (the points rules' activity kinds).
VISIT_KINDS = ("home_visit", "meal_delivery", "escort_to_doctor", "free_clinic", "haircut")
WORDS = dict(zip(VISIT_KINDS, ("走访", "送餐", "送医", "义诊", "理发"), strict=True))
HEALTH = frozenset({"free_clinic"})


@dataclass(frozen=True)
class CareService:
    kind: str  # an activity kind: the points rule that pays it
    hours: Decimal | None
    description: str
    source_key: str


def care_visit_key(visit_id: str) -> str:
    return f"{SOURCE}:{visit_id}"


def earns(volunteer: Volunteer | None, community_code: str, at: datetime) -> bool:
    """Whether the visit counts as this volunteer's service (see the module's rules)."""
    if volunteer is None or volunteer.community_code != community_code:
        return False
    return volunteer.registered_at is None or volunteer.registered_at <= at


def care_service(visit_id: str, visit_kind: str, minutes: int | None) -> CareService:
    require(visit_kind in WORDS, "kind", f"unknown care visit kind {visit_kind!r}")
    require(minutes is None or minutes > 0, "minutes", "a visit takes a minute or more")
    kind = "health" if visit_kind in HEALTH else "elder_care"
    hours = None if minutes is None else (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return CareService(kind, hours, f"关爱{WORDS[visit_kind]}", care_visit_key(visit_id))
