"""The event contracts: envelope, payload validation, and the generated documents."""

from __future__ import annotations

import json
import uuid

import jsonschema
import pytest

from lianxin.contracts import EVENT_TYPES, CloudEvent, InvalidEvent, new_event, parse_data
from lianxin.contracts.incidents import AssignmentDispatched
from lianxin.contracts.org import DepartmentRegistered
from lianxin.contracts.schemas import DOCS, drift, event_schema, subject_matches


def test_an_event_travels_as_a_cloudevent_and_comes_back_typed() -> None:
    data = DepartmentRegistered(code="power_supply", name="供电公司", categories=["power_supply"])
    event = new_event(data, source="/lianxin/organisation", correlation_id="c-1")
    assert event.specversion == "1.0"
    assert event.type == "cn.lianxin.org.department.registered.v1"
    assert event.subject == "power_supply"
    assert uuid.UUID(event.id).version == 7
    again = CloudEvent.from_bytes(event.model_dump_json().encode())
    assert parse_data(again) == data


def test_department_subjects_carry_the_department_code() -> None:
    data = AssignmentDispatched.model_validate(
        {
            "assignment_id": str(uuid.uuid4()),
            "incident_id": str(uuid.uuid4()),
            "department_code": "landscaping",
            "lead": True,
            "community_code": "yongxinglu",
            "micro_grid_code": "yxl-m01",
            "category": "landscaping",
            "urgency": "general",
            "description": "高大树木需修剪",
            "affected_households": 30,
            "dispatched_at": "2026-11-21T10:00:00Z",
            "acknowledge_by": "2026-11-21T10:30:00Z",
            "resolve_by": "2026-11-28T10:00:00Z",
        }
    )
    assert data.nats_subject() == "dispatch.landscaping.assignment_dispatched"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"{not json", "not a Lianxin CloudEvent"),
        (
            json.dumps(
                {
                    "id": "1",
                    "source": "/x",
                    "type": "cn.lianxin.nope.v1",
                    "subject": "s",
                    "time": "2026-01-01T00:00:00Z",
                    "dataschema": "urn:x",
                    "data": {},
                }
            ).encode(),
            "unknown event type",
        ),
    ],
)
def test_what_cannot_be_read_is_an_invalid_event(raw: bytes, says: str) -> None:
    with pytest.raises(InvalidEvent, match=says):
        parse_data(CloudEvent.from_bytes(raw))


def test_a_payload_off_contract_names_the_field() -> None:
    event = new_event(
        DepartmentRegistered(code="police", name="派出所", categories=["public_security"]),
        source="/lianxin/organisation",
    )
    event.data.pop("categories")
    with pytest.raises(InvalidEvent, match="categories: Field required"):
        parse_data(event)


def test_every_event_validates_against_its_published_json_schema() -> None:
    event = new_event(
        DepartmentRegistered(code="police", name="派出所", categories=["public_security"]),
        source="/lianxin/organisation",
    )
    schema = event_schema(DepartmentRegistered)
    jsonschema.validate(event.model_dump(mode="json"), schema)
    broken = event.model_dump(mode="json")
    broken["data"]["categories"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_committed_schemas_and_asyncapi_match_the_contracts() -> None:
    assert (DOCS / "asyncapi.json").exists()
    assert len(list((DOCS / "events").glob("*.json"))) == len(EVENT_TYPES)
    assert drift() == [], "run `make contracts` and commit docs/contracts"


def test_drift_is_noticed(tmp_path) -> None:
    assert "asyncapi.json" in drift(tmp_path)


def test_nats_wildcards() -> None:
    assert subject_matches("report.>", "report.power_supply.assignment_resolved")
    assert subject_matches("dispatch.*.x", "dispatch.{department_code}.x")
    assert not subject_matches("incidents.incident.escalated", "incidents.incident.reported")
    assert not subject_matches("org.>", "org")
