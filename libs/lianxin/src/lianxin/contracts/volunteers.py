"""Events of the volunteers context (stream VOLUNTEERS)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from lianxin.contracts.envelope import EventData


class MobilisationStarted(EventData):
    """Wartime: the affected grid's volunteers and in-service party members are called up."""

    TYPE: ClassVar[str] = "cn.lianxin.volunteers.mobilisation.started.v1"
    SUBJECT: ClassVar[str] = "volunteers.mobilisation.started"
    AGGREGATE_ID: ClassVar[str] = "mobilisation_id"

    mobilisation_id: UUID
    community_code: str
    grid_code: str
    incident_id: UUID
