"""Open311 GeoReport v2 conformance, written from the specification (wiki.open311.org/GeoReport_v2)
and mySociety's servicerequestupdates extension, against the real incidents process.

What the spec fixes and these tests hold us to: the resource names and the `.json` format suffix;
`services` fields (service_code, service_name, description, metadata bool, type realtime|batch|
blackbox, keywords, group); POST `requests` form-encoded with service_code and one location
(lat+long, address_string or address_id), answering a list of {service_request_id,
service_notice, account_id}; GET `requests` filtered by service_request_id (comma-delimited, the
other filters then ignored), service_code, start_date/end_date (W3C date-times with a zone) and
status open|closed, each request with the spec's fields; GET `requests/{id}` as a list of one;
errors as a list of {code, description} with the HTTP status as code; dates in W3C format.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.http_clients import sync_client
from tests.conftest import Platform
from tests.e2e.data import escalation

pytestmark = pytest.mark.e2e

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = {
    "service_code": str,
    "service_name": str,
    "description": str,
    "metadata": bool,
    "type": str,
    "keywords": str,
    "group": str,
}
REQUEST_FIELDS = {
    "service_request_id": str,
    "status": str,
    "status_notes": str,
    "service_name": str,
    "service_code": str,
    "description": str,
    "agency_responsible": str,
    "service_notice": str,
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": (str, type(None)),
    "address": str,
    "address_id": str,
    "zipcode": (str, type(None)),
    "lat": (float, type(None)),
    "long": (float, type(None)),
    "media_url": str,
}
UPDATE_FIELDS = {
    "update_id": str,
    "service_request_id": str,
    "status": str,
    "updated_datetime": str,
    "description": str,
    "media_url": str,
}
OUTAGE = {
    "service_code": "power_supply",
    "address_id": "tpj-g01-m01",
    "description": "朝华新城 3 号楼停电",
    "first_name": "王",
    "last_name": "阿姨",
    "email": "wang@example.cn",
    "phone": "13800000000",
    "account_id": "resident-42",
}


def conforms(item: dict, fields: dict) -> None:
    assert set(fields) <= set(item), f"missing {set(fields) - set(item)}"
    for name, kind in fields.items():
        assert isinstance(item[name], kind), f"{name}={item[name]!r} is not {kind}"


def is_open311_error(response: httpx.Response, status: int, mentions: str = "") -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()
    assert isinstance(errors, list) and errors
    for error in errors:
        assert set(error) == {"code", "description"}
        assert error["code"] == status and isinstance(error["description"], str)
    assert mentions in " ".join(e["description"] for e in errors)


def open311(platform: Platform) -> httpx.Client:
    """A 311 client: no bearer header, the token goes as api_key."""
    return sync_client(base_url=platform.url("incidents") + "/open311/v2", timeout=10)


def key(platform: Platform, username: str) -> str:
    return platform.token(username, DEMO_PASSWORD)


def escalated_request(platform: Platform, client: httpx.Client, api_key: str) -> str:
    """A 311 request for the outage, escalated to the power company; returns its id."""
    created = client.post("/requests.json", data={**OUTAGE, "api_key": api_key})
    request_id = created.json()[0]["service_request_id"]
    with platform.http("incidents") as incidents:
        incidents.post(f"/incidents/{request_id}/escalation", json=escalation()).raise_for_status()
    return request_id


def test_services_list_one_service_per_category_with_the_specs_fields(
    demo_platform: Platform,
) -> None:
    with open311(demo_platform) as client:
        found = client.get("/services.json")  # public: no key
    assert found.status_code == 200
    assert found.headers["content-type"] == "application/json; charset=utf-8"
    services = found.json()
    for service in services:
        conforms(service, SERVICE_FIELDS)
        assert service["type"] in ("realtime", "batch", "blackbox")
        assert service["metadata"] is True  # every service has attributes (services/{code})
    by_code = {s["service_code"]: s for s in services}
    assert len(by_code) == len(services)
    # Power supply: the power company leads, the compound's property company helps.
    assert set(by_code["power_supply"]["keywords"].split(",")) == {"power_supply", "property"}
    assert {"fire_safety", "property_management", "litigation"} <= set(by_code)


def test_a_request_is_created_form_encoded_then_found_by_id_service_dates_and_status(
    demo_platform: Platform,
) -> None:
    coordinator = key(demo_platform, "tpj-coordinator")
    with open311(demo_platform) as client:
        created = client.post("/requests.json", data={**OUTAGE, "api_key": coordinator})
        assert created.status_code in (200, 201), created.text
        [answer] = created.json()
        assert set(answer) == {"service_request_id", "service_notice", "account_id"}
        assert answer["account_id"] == "resident-42"
        request_id = answer["service_request_id"]

        [one] = client.get(f"/requests/{request_id}.json", params={"api_key": coordinator}).json()
        conforms(one, REQUEST_FIELDS)
        assert one["service_request_id"] == request_id and one["status"] == "open"
        assert (one["service_code"], one["address_id"]) == ("power_supply", "tpj-g01-m01")
        assert one["description"] == OUTAGE["description"]
        assert W3C.match(one["requested_datetime"]) and W3C.match(one["updated_datetime"])
        # The resident's contact details are not published.
        assert "13800000000" not in created.text + str(one)

        def ids(**query) -> list[str]:
            answer = client.get("/requests.json", params={**query, "api_key": coordinator})
            assert answer.status_code == 200, answer.text
            for item in answer.json():
                conforms(item, REQUEST_FIELDS)
            return [r["service_request_id"] for r in answer.json()]

        # A point beside the address is kept as the incident's map pin and given back.
        pinned = {"service_code": "fire_safety", "lat": "29.7031", "long": "107.3902"}
        other = client.post(
            "/requests.json", data={**OUTAGE, **pinned, "api_key": coordinator}
        ).json()[0]["service_request_id"]
        [placed] = client.get(f"/requests/{other}.json", params={"api_key": coordinator}).json()
        assert (placed["lat"], placed["long"], placed["address_id"]) == (
            29.7031,
            107.3902,
            "tpj-g01-m01",
        )
        assert one["lat"] is None and one["long"] is None
        now = datetime.now(UTC)
        assert set(ids()) == {request_id, other}
        # By id, the other filters are ignored.
        both = ids(service_request_id=f"{request_id},{other}", service_code="litigation")
        assert set(both) == {request_id, other}
        assert ids(service_code="power_supply") == [request_id]
        assert set(ids(service_code="power_supply,fire_safety")) == {request_id, other}
        assert set(ids(status="open")) == {request_id, other}
        assert ids(status="closed") == []
        later = (now + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        assert ids(start_date=later) == []
        earlier = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        assert set(ids(start_date=earlier, end_date=later)) == {request_id, other}


def test_a_request_is_seen_only_by_those_who_may_see_the_incident(
    demo_platform: Platform,
) -> None:
    with open311(demo_platform) as client:
        created = client.post(
            "/requests.json",
            data={**OUTAGE, "api_key": key(demo_platform, "tpj-coordinator")},
        )
        request_id = created.json()[0]["service_request_id"]
        other_community = {"api_key": key(demo_platform, "yxl-coordinator")}
        answer = client.get(f"/requests/{request_id}.json", params=other_community)
        is_open311_error(answer, 404)
        assert client.get("/requests.json", params=other_community).json() == []
        # A department sees a request once it holds an assignment of it.
        department = {"api_key": key(demo_platform, "power-operator")}
        assert client.get("/requests.json", params=department).json() == []
        with demo_platform.http("incidents") as incidents:
            escalated = incidents.post(f"/incidents/{request_id}/escalation", json=escalation())
            assert escalated.status_code == 200, escalated.text
        [seen] = client.get("/requests.json", params=department).json()
        assert seen["agency_responsible"] == "供电公司"
        # A department cannot report (create) requests.
        denied = client.post("/requests.json", data={**OUTAGE, **department})
        is_open311_error(denied, 403)


def test_updates_list_each_step_with_the_status_it_left(demo_platform: Platform) -> None:
    coordinator = key(demo_platform, "tpj-coordinator")
    started = datetime.now(UTC) - timedelta(seconds=5)
    with open311(demo_platform) as client:
        request_id = escalated_request(demo_platform, client, coordinator)
        answer = client.get(
            "/servicerequestupdates.json",
            params={"api_key": coordinator, "start_date": started.isoformat()},
        )
    assert answer.status_code == 200, answer.text
    found = [u for u in answer.json() if u["service_request_id"] == request_id]
    for update in found:
        conforms(update, UPDATE_FIELDS)
        assert W3C.match(update["updated_datetime"])
    assert [u["description"].split(":")[0] for u in found] == ["reported", "escalated"]
    assert [u["status"] for u in found] == ["open", "open"]
    assert len({u["update_id"] for u in found}) == 2


BAD_REQUESTS = [
    ({"service_code": ""}, "service_code"),
    ({"address_id": ""}, "address_id"),
    ({"address_id": "", "lat": "29.7", "long": "107.4"}, "address_id"),
    ({"address_id": "", "address_string": "nowhere"}, "address_string"),
    ({"address_id": "tpj-g01"}, "address_id"),
    ({"description": ""}, "description"),
    ({"attribute[urgency]": "whenever"}, "attribute[urgency]"),
]


def test_a_bad_request_is_a_400_in_the_specs_error_form_naming_the_field(
    demo_platform: Platform,
) -> None:
    coordinator = key(demo_platform, "tpj-coordinator")
    with open311(demo_platform) as client:
        for form, mentions in BAD_REQUESTS:
            answer = client.post("/requests.json", data={**OUTAGE, **form, "api_key": coordinator})
            is_open311_error(answer, 400, mentions)
        assert client.get("/requests.json", params={"api_key": coordinator}).json() == []


def test_keys_formats_and_problem_json_on_request(demo_platform: Platform) -> None:
    coordinator = key(demo_platform, "tpj-coordinator")
    with open311(demo_platform) as client:
        is_open311_error(client.get("/requests.json"), 403, "api_key")
        is_open311_error(client.get("/requests.json", params={"api_key": "nonsense"}), 403)
        is_open311_error(client.get("/requests.csv", params={"api_key": coordinator}), 404, "xml")
        bearer = {"Authorization": f"Bearer {coordinator}"}
        assert client.get("/requests.json", headers=bearer).status_code == 200
        bad_date = client.get(
            "/requests.json", params={"api_key": coordinator, "start_date": "yesterday"}
        )
        is_open311_error(bad_date, 400, "start_date")
        # A client of ours may ask for RFC 9457 problem details instead.
        problem = client.get(
            "/requests.json",
            params={"api_key": coordinator, "status": "lost"},
            headers={"Accept": "application/problem+json"},
        )
        assert problem.status_code == 422
        assert problem.headers["content-type"] == "application/problem+json"
        assert problem.json()["errors"][0]["field"] == "status"


def test_a_departments_back_office_posts_its_progress_as_updates(demo_platform: Platform) -> None:
    coordinator = key(demo_platform, "tpj-coordinator")
    power = key(demo_platform, "power-operator")
    with open311(demo_platform) as client:
        request_id = escalated_request(demo_platform, client, coordinator)

        def post(status: str, description: str = "", api_key: str = power) -> httpx.Response:
            form = {"service_request_id": request_id, "status": status, "api_key": api_key}
            form["description"] = description
            return client.post("/servicerequestupdates.json", data=form)

        posted = post("INVESTIGATING", "已接单, 抢修队在路上")
        assert posted.status_code in (200, 201), posted.text
        [answer] = posted.json()
        assert set(answer) == {"update_id"}
        is_open311_error(post("investigating"), 409)  # signed for once
        assert post("in_progress", "正在更换变压器").status_code in (200, 201)
        is_open311_error(post("fixed", ""), 400, "description")
        is_open311_error(post("duplicate", "x"), 400, "status")
        # Only the department holding an assignment reports on it; a coordinator is no department.
        is_open311_error(post("fixed", "x", key(demo_platform, "tpj-coordinator")), 403)
        is_open311_error(post("fixed", "x", demo_platform.token()), 403)  # nor the platform
        assert post("fixed", "更换变压器, 已恢复供电").status_code in (200, 201)

        [request] = client.get(f"/requests/{request_id}.json", params={"api_key": power}).json()
        assert request["status"] == "closed"
        found = client.get("/servicerequestupdates.json", params={"api_key": power}).json()
        mine = [u for u in found if u["service_request_id"] == request_id]
        assert answer["update_id"] in {u["update_id"] for u in mine}
        steps = [(u["description"].split(":")[0], u["status"]) for u in mine]
        assert steps[-4:] == [
            ("acknowledged", "open"),
            ("started", "open"),
            ("assignment_resolved", "open"),
            ("resolved", "closed"),
        ]
        assert request["status_notes"] == "resolved: every assignment resolved"
