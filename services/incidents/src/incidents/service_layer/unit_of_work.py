from __future__ import annotations

from incidents.adapters.incident_repository import IncidentRepository
from incidents.adapters.incident_search import IncidentSearch
from incidents.adapters.org_read_model import OrganisationReadModel
from incidents.adapters.photo_store import PhotoStore
from incidents.adapters.read_cache import read_cache
from incidents.adapters.routing_repository import RoutingRepository
from incidents.adapters.tickets import TicketCounters
from lianxin.persistence.unit_of_work import UnitOfWork


class IncidentsUnitOfWork(UnitOfWork):
    incidents: IncidentRepository
    search: IncidentSearch
    org: OrganisationReadModel
    routing: RoutingRepository
    photos: PhotoStore
    tickets: TicketCounters

    def _open(self) -> None:
        self.incidents = IncidentRepository(self.session, self.writes)
        self.search = IncidentSearch(self.session)
        self.org = OrganisationReadModel(self.session)
        self.routing = RoutingRepository(self.session)
        self.photos = PhotoStore(self.session)
        self.tickets = TicketCounters(self.writes)

    async def commit(self) -> None:
        await super().commit()
        if self.org.wrote or self.routing.wrote:
            # Cleared when written and again now: a read between the two kept the old rows.
            read_cache(self.session).clear()
