from __future__ import annotations

from incidents.adapters.repository import IncidentRepository, OrganisationReadModel
from lianxin.persistence.unit_of_work import UnitOfWork


class IncidentsUnitOfWork(UnitOfWork):
    incidents: IncidentRepository
    org: OrganisationReadModel

    def _open(self) -> None:
        self.incidents = IncidentRepository(self.session)
        self.org = OrganisationReadModel(self.session)
