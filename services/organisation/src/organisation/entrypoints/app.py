"""The organisation process: `uvicorn organisation.entrypoints.app:app`."""

from lianxin.service import create_service_app
from organisation.adapters.orm import metadata
from organisation.entrypoints.api import router
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork

app = create_service_app(
    "organisation",
    title="Lianxin organisation",
    metadata=metadata,
    routers=[router],
    uow_class=OrganisationUnitOfWork,
)
