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
    # Each opened over the transaction's connection by `UnitOfWork._open`.
    needs: NeedRepository
    offers: OfferRepository
    meetings: MeetingRepository
    projects: ProjectRepository
    wishes: WishRepository
    emergency: EmergencyOfferRepository
    deliberations: DeliberationRepository

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
