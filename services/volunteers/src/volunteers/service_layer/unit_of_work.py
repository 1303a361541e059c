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
    # Each opened over the transaction's connection by `UnitOfWork._open` (mobilisations with
    # the commit's `writes`: a new mobilisation is written with the outbox rows).
    volunteers: VolunteerRepository
    teams: TeamRepository
    activities: ActivityRepository
    shifts: ShiftRepository
    rules: RulesRepository
    ledger: LedgerRepository
    shop: ShopRepository
    mobilisations: MobilisationRepository
