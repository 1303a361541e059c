"""The incidents process: `uvicorn incidents.entrypoints.app:app`."""

from incidents.adapters.orm import metadata
from incidents.entrypoints import api, department_api, org_api, rates_api, routing_api
from incidents.entrypoints.subscribers import HANDLERS
from incidents.entrypoints.timers import start_deadline_timers
from incidents.service_layer.unit_of_work import IncidentsUnitOfWork
from lianxin.service import create_service_app

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
    ],
    uow_class=IncidentsUnitOfWork,
    handlers=HANDLERS,
    on_startup=start_deadline_timers,
)
