"""Service records of in-service party members (双报到 服务纪实), for their employer's branch.

An in-service member serves where she lives; her employer's party branch assesses her on what
she did there. Per member and period this module lays out what she did and for how long as rows
(one per service, then a total), with Chinese headers because the branch files them as they are:
the entrypoint writes them as CSV or prints them; `report` also gives the event that sends the
record back. Pure functions: the service layer gathers the services (shifts checked out,
micro-wishes fulfilled, mobilisations closed) from its own tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from lianxin.errors import require
from volunteers.domain import events
from volunteers.domain.periods import Period
from volunteers.domain.volunteers import Volunteer

COLUMNS = (
    "姓名",  # name
    "党员编号",  # person code in organisation
    "工作单位",  # employer
    "所在党组织",  # employer's party branch
    "报到社区",  # home community
    "日期",
    "服务类别",
    "服务内容",
    "时长(小时)",
    "积分",
)
KIND_LABELS = {
    "elder_care": "助老服务",
    "errand_service": "帮办代办",
    "patrol": "治安巡逻",
    "snow_clearing": "清雪",
    "tutoring": "课业辅导",
    "legal_aid": "法律援助",
    "mediation": "矛盾调解",
    "health": "健康服务",
    "repair": "维修服务",
    "cleaning": "环境清洁",
    "emergency": "应急动员",
    "micro_wish": "微心愿",
}


@dataclass(frozen=True)
class ServiceDone:
    """One service as this service's tables know it."""

    volunteer_id: UUID
    at: datetime
    kind: str  # an activity kind, or "micro_wish"
    description: str
    community_code: str
    hours: Decimal | None  # a fulfilled micro-wish may have none
    points: int


@dataclass(frozen=True)
class RecordRow:
    at: datetime
    kind: str
    description: str
    hours: Decimal | None
    points: int


def service_record(
    member: Volunteer, period: Period, services: Iterable[ServiceDone]
) -> list[RecordRow]:
    """The member's services in the period, oldest first."""
    _in_service(member)
    mine = [s for s in services if s.volunteer_id == member.id and period.covers(s.at)]
    return [
        RecordRow(s.at, s.kind, s.description, s.hours, s.points)
        for s in sorted(mine, key=lambda s: (s.at, s.kind, s.description))
    ]


def csv_rows(member: Volunteer, period: Period, rows: list[RecordRow]) -> list[list[str]]:
    """Header, one line per service, and a total line: strings, ready for csv.writer."""
    _in_service(member)
    who = [
        member.name,
        member.person_code or "",
        member.employer_unit_code or "",
        member.employer_branch_code or "",
        member.community_code,
    ]
    lines = [list(COLUMNS)]
    for row in rows:
        lines.append(
            [
                *who,
                row.at.date().isoformat(),
                KIND_LABELS.get(row.kind, row.kind),
                row.description,
                _hours(row.hours),
                str(row.points),
            ]
        )
    total_hours = sum((r.hours or Decimal(0) for r in rows), Decimal(0))
    total = [*who, period.label, f"合计 {len(rows)} 次", "", _hours(total_hours)]
    lines.append([*total, str(sum(r.points for r in rows))])
    return lines


def report(
    member: Volunteer, period: Period, services: Iterable[ServiceDone], now: datetime
) -> tuple[list[RecordRow], events.ServiceRecordReported]:
    rows = service_record(member, period, services)
    assert member.employer_unit_code and member.employer_branch_code  # checked by _in_service
    hours = sum((r.hours or Decimal(0) for r in rows), Decimal(0))
    reported = events.ServiceRecordReported(
        member.id,
        member.person_code,
        member.employer_unit_code,
        member.employer_branch_code,
        period.label,
        len(rows),
        hours,
        now,
    )
    return rows, reported


def _in_service(member: Volunteer) -> None:
    require(
        member.in_service and member.employer_branch_code,
        "volunteer_id",
        "service records go to an employer's branch: only in-service party members have one",
    )


def _hours(hours: Decimal | None) -> str:
    return "" if hours is None else f"{hours:.2f}"
