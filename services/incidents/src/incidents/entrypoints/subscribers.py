"""What incidents consumes: the organisation (ORG) and departments reporting in (REPORTS)."""

from __future__ import annotations

from incidents.service_layer.department_actions import apply_report_in
from incidents.service_layer.read_models import apply_org_event
from lianxin.contracts import CloudEvent, EventData
from lianxin.messaging.streams import INCIDENTS_REPORTS, declare_consumer, department_consumer
from lianxin.messaging.subscriber import EventHandler
from lianxin.service import Runtime


def on_org_event(rt: Runtime) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        new_department = await apply_org_event(rt.uow(), data)  # type: ignore[arg-type]
        if new_department:
            # The department's own durable consumer on DISPATCH, so it can catch up whenever.
            await declare_consumer(rt.js, department_consumer(new_department))

    return handle


def on_report_in(rt: Runtime) -> EventHandler:
    async def handle(event: CloudEvent, data: EventData, subject: str) -> None:
        await apply_report_in(
            rt.uow(),
            event,
            data,
            subject,
            INCIDENTS_REPORTS.durable,
        )

    return handle
