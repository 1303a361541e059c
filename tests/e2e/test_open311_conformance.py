"""Open311 GeoReport v2 as a stock client uses it (FixMyStreet's asks for `.xml`, others for
`.json`): every resource in both formats, the spec's status codes and its error arrays — in XML
too — and what needs no key. Written from wiki.open311.org/GeoReport_v2 and mySociety's
servicerequestupdates extension, against the real incidents process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4
from xml.etree import ElementTree

import httpx
import pytest

from tests.conftest import Platform
from tests.e2e.data import escalation
from tests.e2e.test_open311 import OUTAGE, key, open311

pytestmark = pytest.mark.e2e

FORMATS = ("xml", "json")
CONTENT_TYPE = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# Elements that are lists in GeoReport v2's XML (each child one entry).
XML_LISTS = {
    "services",
    "service_requests",
    "service_request_updates",
    "errors",
    "endpoints",
    "formats",
    "attributes",
    "values",
}


def _element(element: ElementTree.Element):
    if element.tag in XML_LISTS:
        return [_element(child) for child in element]
    if len(element):
        return {child.tag: _element(child) for child in element}
    return element.text


def body(response: httpx.Response, fmt: str):
    """The answer as a client of that format reads it (XML values are text)."""
    assert response.headers["content-type"] == CONTENT_TYPE[fmt], response.text
    if fmt == "json":
        return response.json()
    root = ElementTree.fromstring(response.content)
    return _element(root)


def is_error(response: httpx.Response, fmt: str, status: int, mentions: str = "") -> None:
    assert response.status_code == status, response.text
    errors = body(response, fmt)
    assert isinstance(errors, list) and errors, response.text
    for error in errors:
        assert set(error) == {"code", "description"}
        assert str(error["code"]) == str(status)
    assert mentions in " ".join(e["description"] for e in errors), response.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_services_and_definitions_need_no_key(demo_platform: Platform, fmt) -> None:
    with open311(demo_platform) as client:
        discovery = client.get(f"/discovery.{fmt}")
        assert discovery.status_code == 200
        [endpoint] = body(discovery, fmt)["endpoints"]
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}
        assert endpoint["url"].endswith("/open311/v2")

        listed = client.get(f"/services.{fmt}")
        assert listed.status_code == 200
        services = {s["service_code"]: s for s in body(listed, fmt)}
        assert {"power_supply", "fire_safety"} <= set(services)
        assert str(services["power_supply"]["metadata"]).lower() == "true"

        defined = client.get(f"/services/power_supply.{fmt}")
        assert defined.status_code == 200
        definition = body(defined, fmt)
        assert definition["service_code"] == "power_supply"
        attributes = {a["code"]: a for a in definition["attributes"]}
        assert set(attributes) == {"urgency", "affected_households", "contact_consent"}
        assert attributes["affected_households"]["datatype"] == "number"
        urgencies = [v["key"] for v in attributes["urgency"]["values"]]
        assert urgencies == ["emergency", "utilities", "general", "complex"]

        is_error(client.get(f"/services/teleportation.{fmt}"), fmt, 404, "teleportation")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_round_trip_in_each_format(demo_platform: Platform, fmt) -> None:
    coordinator = key(demo_platform, "tpj-coordinator")
    with open311(demo_platform) as client:
        form = {**OUTAGE, "api_key": coordinator, "attribute[affected_households]": "24"}
        created = client.post(f"/requests.{fmt}", data=form)
        assert created.status_code == 200, created.text
        [answer] = body(created, fmt)
        request_id = answer["service_request_id"]
        assert answer["account_id"] == OUTAGE["account_id"]

        [one] = body(
            client.get(f"/requests/{request_id}.{fmt}", params={"api_key": coordinator}), fmt
        )
        assert one["service_request_id"] == request_id and one["status"] == "open"
        assert one["address_id"] == OUTAGE["address_id"]
        by_id = client.get(
            f"/requests.{fmt}", params={"api_key": coordinator, "service_request_id": request_id}
        )
        assert [r["service_request_id"] for r in body(by_id, fmt)] == [request_id]
        with demo_platform.http("incidents") as incidents:
            incident = incidents.get(f"/incidents/{request_id}").json()
            assert incident["affected_households"] == 24
            incidents.post(
                f"/incidents/{request_id}/escalation", json=escalation()
            ).raise_for_status()

        since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        updates = client.get(
            f"/servicerequestupdates.{fmt}", params={"api_key": coordinator, "start_date": since}
        )
        mine = [u for u in body(updates, fmt) if u["service_request_id"] == request_id]
        assert [u["description"].split(":")[0] for u in mine] == ["reported", "escalated"]

        department = {"api_key": key(demo_platform, "power-operator")}
        posted = client.post(
            f"/servicerequestupdates.{fmt}",
            data={
                **department,
                "service_request_id": request_id,
                "status": "fixed",
                "description": "已恢复供电",
            },
        )
        assert posted.status_code == 200, posted.text
        [update] = body(posted, fmt)
        assert update["update_id"].startswith(f"{request_id}.")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_specs_status_codes_as_error_arrays(demo_platform: Platform, fmt) -> None:
    coordinator = key(demo_platform, "tpj-coordinator")
    with open311(demo_platform) as client:
        is_error(client.get(f"/requests.{fmt}"), fmt, 403, "api_key")
        is_error(client.get(f"/requests.{fmt}", params={"api_key": "nonsense"}), fmt, 403)
        is_error(client.post(f"/requests.{fmt}", data=OUTAGE), fmt, 403, "api_key")
        keyed = {"api_key": coordinator}
        for missing in ("not-a-uuid", str(uuid4())):
            is_error(client.get(f"/requests/{missing}.{fmt}", params=keyed), fmt, 404)
        assert (
            body(client.get(f"/requests.{fmt}", params={**keyed, "service_request_id": "x"}), fmt)
            == []
        )
        long_range = {
            **keyed,
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": "2026-06-01T00:00:00Z",
        }
        is_error(client.get(f"/requests.{fmt}", params=long_range), fmt, 400, "90 days")

        def create(**form: str) -> httpx.Response:
            return client.post(f"/requests.{fmt}", data={**OUTAGE, **keyed, **form})

        is_error(create(service_code="teleportation"), fmt, 404, "teleportation")
        is_error(create(lat="999", long="107.4"), fmt, 400, "lat")
        is_error(create(lat="29.7", long="-181"), fmt, 400, "long")
        is_error(create(lat="29.7"), fmt, 400, "long")
        # A point alone is refused, saying why (no grid node has coordinates to place it).
        is_error(create(address_id="", lat="29.7", long="107.4"), fmt, 400, "coordinates")
        is_error(
            create(**{"attribute[affected_households]": "many"}), fmt, 400, "affected_households"
        )
        assert body(client.get(f"/requests.{fmt}", params=keyed), fmt) == []

        # Refused before any route runs (a NUL no PostgreSQL text holds): still the spec's form.
        nul = {**keyed, "status": "open\x00"}
        is_error(client.get(f"/requests.{fmt}", params=nul), fmt, 400, "status")
        is_error(create(description="a\x00b"), fmt, 400, "description")

        is_error(client.get(f"/nothing-here.{fmt}"), fmt, 404)
        for wrong_method in (client.delete(f"/services.{fmt}"), client.options(f"/services.{fmt}")):
            is_error(wrong_method, fmt, 405)
            assert wrong_method.headers["allow"] == "GET"


def test_the_openapi_document_says_what_open311_answers(demo_platform: Platform) -> None:
    """What a generated client (or the fuzz test) reads: both formats, the error arrays."""
    with demo_platform.http("incidents") as http:
        document = http.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["Open311ApiKey"]["name"] == "api_key"
    operations = [
        (path, operation)
        for path, methods in document["paths"].items()
        if path.startswith("/open311/")
        for operation in methods.values()
    ]
    assert len(operations) == 8
    for path, operation in operations:
        (fmt,) = [p for p in operation["parameters"] if p["name"] == "fmt"]
        assert set(fmt["schema"]["enum"]) == set(FORMATS), path
        responses = operation["responses"]
        assert set(responses["200"]["content"]) == {"text/xml", "application/json"}, path
        for status in ("400", "404"):
            content = responses[status]["content"]
            assert content["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Open311Errors"
            }
            assert {"text/xml", "application/problem+json"} <= set(content), (path, status)
        keyed = "/discovery." not in path and "/services" not in path
        assert ("403" in responses) == keyed, path


def test_accept_chooses_the_format_where_the_path_does_not(demo_platform: Platform) -> None:
    with open311(demo_platform) as client:
        is_error(client.get("/nothing", headers={"Accept": "text/xml"}), "xml", 404)
        is_error(client.get("/nothing"), "json", 404)
        is_error(client.get("/services.csv", headers={"Accept": "application/xml"}), "xml", 404)
