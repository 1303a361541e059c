"""What departments send back when they report in (报到): stream REPORTS, subjects
`report.<department_code>.…`. The class names say which report-in it is; the wire (`type`,
subject, fields) keeps its first names (`assignment.started` for handling, `assignment.resolved`
for the result)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from lianxin.contracts.envelope import EventData


class ReportIn(EventData):
    """What every report-in names: the assignment, and the department reporting."""

    AGGREGATE_ID: ClassVar[str] = "assignment_id"

    assignment_id: UUID
    department_code: str


class AcknowledgementReportedIn(ReportIn):
    """The department signed for the whistle (接单)."""

    TYPE: ClassVar[str] = "cn.lianxin.departments.assignment.acknowledged.v1"
    SUBJECT: ClassVar[str] = "report.{department_code}.assignment_acknowledged"

    note: str = ""


class ResultReportedIn(ReportIn):
    """The department reports the result (反馈)."""

    TYPE: ClassVar[str] = "cn.lianxin.departments.assignment.resolved.v1"
    SUBJECT: ClassVar[str] = "report.{department_code}.assignment_resolved"

    result: str = Field(min_length=1)


class ReturnReportedIn(ReportIn):
    """The department sends the whistle back, not signed for: not its matter, and why (退单)."""

    TYPE: ClassVar[str] = "cn.lianxin.departments.assignment.returned.v1"
    SUBJECT: ClassVar[str] = "report.{department_code}.assignment_returned"

    reason: str = Field(min_length=1)


class HandlingReportedIn(ReportIn):
    """The department is working on it (办理)."""

    TYPE: ClassVar[str] = "cn.lianxin.departments.assignment.started.v1"
    SUBJECT: ClassVar[str] = "report.{department_code}.assignment_started"

    note: str = ""


class ExtensionRequestReportedIn(ReportIn):
    """The department asks for more time (延期申请): until `resolve_by`, and why."""

    TYPE: ClassVar[str] = "cn.lianxin.departments.assignment.extension_requested.v1"
    SUBJECT: ClassVar[str] = "report.{department_code}.extension_requested"

    reason: str = Field(min_length=1)
    resolve_by: datetime
