"""Resources' unit of work: its repositories on one session, one transaction."""

from __future__ import annotations

from lianxin.persistence.unit_of_work import UnitOfWork
from resources.adapters.repositories import (
    DeliberationRepository,
    EmergencyOfferRepository,
    MeetingRepository,
    NeedRepository,
    OfferRepository,
    ProjectRepository,
    WishRepository,
)


class ResourcesUnitOfWork(UnitOfWork):
    needs: NeedRepository
    offers: OfferRepository
    meetings: MeetingRepository
    projects: ProjectRepository
    wishes: WishRepository
    emergency: EmergencyOfferRepository
    deliberations: DeliberationRepository

    def _open(self) -> None:
        self.needs = NeedRepository(self.session)
        self.offers = OfferRepository(self.session)
        self.meetings = MeetingRepository(self.session)
        self.projects = ProjectRepository(self.session)
        self.wishes = WishRepository(self.session)
        self.emergency = EmergencyOfferRepository(self.session)
        self.deliberations = DeliberationRepository(self.session)

    @property
    def repositories(
        self,
    ) -> tuple[
        NeedRepository,
        OfferRepository,
        MeetingRepository,
        ProjectRepository,
        WishRepository,
        DeliberationRepository,
    ]:
        # The order aggregates are written in: projects before the claims that refer to them.
        return (
            self.needs,
            self.offers,
            self.meetings,
            self.projects,
            self.wishes,
            self.deliberations,
        )
