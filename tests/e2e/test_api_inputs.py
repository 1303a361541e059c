"""What a stranger's client found in the four HTTP APIs (issue #16), on the running platform: each
bad input a 4xx problem naming the field, never a 500, and OpenAPI documents that say so."""

from __future__ import annotations

import json
import re

import pytest

from lianxin.demo.accounts import PASSWORD
from tests.conftest import Platform

SERVICES = ("organisation", "incidents", "resources", "volunteers")
JSON = {"content-type": "application/json"}


def _problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return answer.json()


def test_a_nul_in_a_query_filter_is_refused_naming_it(demo_platform: Platform) -> None:
    for service, path in (
        ("organisation", "/communities"),
        ("incidents", "/incidents"),
        ("resources", "/needs"),
        ("volunteers", "/volunteers"),
    ):
        with demo_platform.http(service) as http:
            answer = http.get(path, params={"community_code": "a\x00", "street_code": "b"})
            assert _problem(answer, 422)["errors"][0]["field"] == "community_code"


def test_a_day_in_a_query_is_written_as_a_day(demo_platform: Platform) -> None:
    """Found by the fuzz: `reported_to=0` was read as 1970-01-01 (seconds since 1970)."""
    with demo_platform.http("incidents") as http:
        answer = http.get("/incidents", params={"reported_to": "0"})
        assert _problem(answer, 422)["errors"][0]["field"] == "reported_to"
        assert http.get("/incidents", params={"reported_to": "2026-11-29"}).status_code == 200
    # The same on every list with days (lianxin.listings), e.g. the wish board and mobilisations.
    for service, path in (("resources", "/wishes/board"), ("volunteers", "/mobilisations")):
        with demo_platform.http(service) as http:
            answer = http.get(path, params={"to": "0"})
            assert _problem(answer, 422)["errors"][0]["field"] == "to", (service, path)


def test_an_offset_past_any_list_is_refused_not_a_500(demo_platform: Platform) -> None:
    """Found by the fuzz: `offset=9999999999999999999` overflowed PostgreSQL's bigint (500)."""
    with demo_platform.http("incidents") as http:
        answer = http.get("/incidents", params={"offset": "9999999999999999999"})
        assert _problem(answer, 422)["errors"][0]["field"] == "offset"


def test_bodies_too_large_or_too_deep_are_refused_unread_and_only_after_the_token(
    demo_platform: Platform,
) -> None:
    huge = b'{"description": "' + b"x" * 5_000_000 + b'"}'
    deep = b"[" * 5000 + b"]" * 5000
    with demo_platform.http("incidents") as http:
        assert (
            "at most"
            in _problem(http.post("/incidents", content=huge, headers=JSON), 413)["detail"]
        )
        errors = _problem(http.post("/incidents", content=deep, headers=JSON), 422)["errors"]
        assert errors[0]["field"] == "body"
        http.headers.pop("Authorization")
        _problem(http.post("/incidents", content=huge, headers=JSON), 401)
        _problem(http.post("/incidents", content=deep, headers=JSON), 401)


def test_a_405_says_which_methods_the_path_answers(demo_platform: Platform) -> None:
    with demo_platform.http("incidents") as http:
        answer = http.put("/incidents")
        _problem(answer, 405)
        assert answer.headers["allow"] == "GET, POST"


def test_optional_parameters_are_optional(demo_platform: Platform) -> None:
    with demo_platform.http("incidents", demo_platform.token("alliance-admin", PASSWORD)) as http:
        assert http.get("/routing").json()["alliance_code"] == "lianxin"
        trend = http.get("/rates/trend", params={"key": "taipingjie"})
        assert trend.status_code == 200, trend.text
        assert len(trend.json()["series"]) == 4
    with demo_platform.http("incidents") as http:  # the platform belongs to no alliance
        assert _problem(http.get("/routing"), 422)["errors"][0]["field"] == "alliance_code"


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_tells_the_truth(demo_platform: Platform, service: str) -> None:
    with demo_platform.http(service) as http:
        document = http.get("/openapi.json").json()
    text = json.dumps(document)
    assert "HTTPValidationError" not in text and "#/$defs/" not in text
    schemas = document["components"]["schemas"]
    assert set(re.findall(r'"#/components/schemas/([^"]+)"', text)) <= set(schemas)
    links = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s >= "400"}
            assert "422" in errors, (method, path)
            for status, response in errors.items():
                if path != "/oauth/token" or status != "400":
                    assert "application/problem+json" in response["content"], (path, status)
            links += sum(len(r.get("links", {})) for r in operation["responses"].values())
            if method in ("post", "put", "patch") and path.endswith("/import"):
                assert set(operation["requestBody"]["content"]) == {"application/json", "text/csv"}
            if method == "post" and path.startswith("/open311/"):
                assert "application/x-www-form-urlencoded" in operation["requestBody"]["content"]
    assert links
