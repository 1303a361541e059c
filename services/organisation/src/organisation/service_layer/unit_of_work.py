from __future__ import annotations

from lianxin.persistence.unit_of_work import UnitOfWork
from organisation.adapters.care import CareRepository
from organisation.adapters.identity import IdentityRepository
from organisation.adapters.keys import KeysRepository
from organisation.adapters.repository import OrganisationRepository
from organisation.adapters.signin import SignInRepository


class OrganisationUnitOfWork(UnitOfWork):
    # Each opened over the transaction's connection by `UnitOfWork._open`.
    org: OrganisationRepository
    identity: IdentityRepository
    care: CareRepository
    keys: KeysRepository
    signins: SignInRepository
