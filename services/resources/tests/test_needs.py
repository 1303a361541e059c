from datetime import UTC, datetime
from uuid import uuid4

from resources.domain.model import Need, NeedOpened


def test_an_escalation_becomes_an_open_need_of_its_community() -> None:
    incident_id = uuid4()
    need = Need.from_escalation(
        incident_id, "yongxinglu", "landscaping", "高大树木遮挡采光", datetime.now(UTC)
    )
    assert (need.community_code, need.status, need.source_incident_id) == (
        "yongxinglu",
        "open",
        incident_id,
    )
    assert need.title == "[landscaping] 高大树木遮挡采光"
    assert need.events == [NeedOpened(need.id, "yongxinglu", need.title, incident_id)]
