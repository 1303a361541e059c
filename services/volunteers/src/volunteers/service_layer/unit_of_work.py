"""The volunteers' unit of work: one session, every repository over it."""

from __future__ import annotations

from lianxin.persistence.unit_of_work import UnitOfWork
from volunteers.adapters.ledger import LedgerRepository
from volunteers.adapters.repository import (
    ActivityRepository,
    MobilisationRepository,
    RulesRepository,
    ShiftRepository,
    ShopRepository,
    TeamRepository,
    VolunteerRepository,
)


class VolunteersUnitOfWork(UnitOfWork):
    volunteers: VolunteerRepository
    teams: TeamRepository
    activities: ActivityRepository
    shifts: ShiftRepository
    rules: RulesRepository
    ledger: LedgerRepository
    shop: ShopRepository
    mobilisations: MobilisationRepository

    def _open(self) -> None:
        self.volunteers = VolunteerRepository(self.session)
        self.teams = TeamRepository(self.session)
        self.activities = ActivityRepository(self.session)
        self.shifts = ShiftRepository(self.session)
        self.rules = RulesRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.shop = ShopRepository(self.session)
        self.mobilisations = MobilisationRepository(self.session, self.writes)
