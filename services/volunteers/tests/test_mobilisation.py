from datetime import UTC, datetime
from uuid import uuid4

from volunteers.domain.model import Mobilisation, MobilisationStarted


def test_an_emergency_mobilises_the_grid_its_micro_grid_sits_in() -> None:
    incident_id = uuid4()
    m = Mobilisation.start(incident_id, "longze", ["lz-g1", "lz-g1-m2"], datetime.now(UTC))
    assert (m.grid_code, m.status) == ("lz-g1", "active")
    assert m.events == [MobilisationStarted(m.id, "longze", "lz-g1", incident_id)]
