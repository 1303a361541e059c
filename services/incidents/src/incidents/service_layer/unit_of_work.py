from __future__ import annotations

from incidents.adapters.repository import (
    IncidentRepository,
    OrganisationReadModel,
    RoutingRepository,
)
from lianxin.persistence.unit_of_work import UnitOfWork


class IncidentsUnitOfWork(UnitOfWork):
    incidents: IncidentRepository
    org: OrganisationReadModel
    routing: RoutingRepository

    def _open(self) -> None:
        self.incidents = IncidentRepository(self.session)
        self.org = OrganisationReadModel(self.session)
        self.routing = RoutingRepository(self.session)
