"""The incidents process: `uvicorn incidents.entrypoints.app:app`."""

from incidents.adapters.orm import metadata
from incidents.entrypoints import (
    api,
    deliberations,
    department_api,
    open311,
    org_api,
    photos_api,
    rates_api,
    resident_api,
    routing_api,
    webhooks,
)
from incidents.entrypoints.subscribers import on_org_event, on_report_in
from incidents.entrypoints.timers import run_deadline_timers
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.messaging.streams import (
    INCIDENTS_DELIBERATIONS,
    INCIDENTS_ORG,
    INCIDENTS_REPORTS,
    INCIDENTS_WEBHOOKS,
)
from lianxin.service import create_service_app

channel = webhooks.WebhookChannel()

app = create_service_app(
    "incidents",
    title="Lianxin incidents",
    metadata=metadata,
    routers=[
        api.router,
        department_api.router,
        routing_api.router,
        rates_api.router,
        org_api.router,
        photos_api.router,
        webhooks.router,
    ],
    # Open311 takes its token as a bearer header or as the spec's api_key: it checks it itself.
    # The resident's rating link is its own credential (回访 without an account).
    public_routers=[open311.router, resident_api.router],
    uow_class=IncidentsUnitOfWork,
    consumers={
        INCIDENTS_ORG: on_org_event,
        INCIDENTS_REPORTS: on_report_in,
        INCIDENTS_WEBHOOKS: channel.on_dispatch,
        INCIDENTS_DELIBERATIONS: deliberations.on_item_turned,
    },
    workers=[run_deadline_timers, channel.run_webhook_dispatcher],
)
