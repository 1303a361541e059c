"""Issue #17, 7: a client that times out and retries a creation with the same `Idempotency-Key`
gets the first answer again, and one thing is created; one test per service."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from lianxin.demo.accounts import PASSWORD as DEMO_PASSWORD
from lianxin.idempotency import ANSWER_GRACE, HEADER
from tests.conftest import Platform, run_async
from tests.e2e.data import NEED, TRANSFORMER

pytestmark = pytest.mark.e2e


def _twice(client, path: str, body: dict) -> tuple:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post(path, json=body, headers=key)
    assert first.status_code == 201, first.text
    again = client.post(path, json=body, headers=key)
    other = client.post(path, json={**body, "name": "另一个"}, headers=key)
    return first, again, other


def _same_answer(first, again, other) -> None:
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    # The same key for another request: refused, naming the header.
    assert other.status_code == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in other.json()["errors"]] == ["Idempotency-Key"]


def test_a_retried_incident_report_returns_the_same_incident_and_creates_one(
    demo_platform: Platform,
) -> None:
    incidents = demo_platform.http("incidents")
    first, again, other = _twice(incidents, "/incidents", TRANSFORMER)
    _same_answer(first, again, other)
    assert [i["id"] for i in incidents.get("/incidents").json()] == [first.json()["id"]]
    # Another key is another report.
    assert incidents.post("/incidents", json=TRANSFORMER).status_code == 201
    assert len(incidents.get("/incidents").json()) == 2


def test_a_retried_district_registration_creates_one_district(demo_platform: Platform) -> None:
    organisation = demo_platform.http("organisation")
    body = {"code": "idem-district", "name": "幂等区", "city": "承德"}
    first, again, other = _twice(organisation, "/districts", body)
    _same_answer(first, again, other)
    codes = [d["code"] for d in organisation.get("/districts").json()]
    assert codes.count("idem-district") == 1


def test_a_retried_need_creates_one_need(demo_platform: Platform) -> None:
    coordinator = demo_platform.http(
        "resources", demo_platform.token("tpj-coordinator", DEMO_PASSWORD)
    )
    first, again, other = _twice(coordinator, "/needs", NEED)
    _same_answer(first, again, other)
    titles = [n["title"] for n in coordinator.get("/needs").json()]
    assert titles.count(NEED["title"]) == 1


def test_a_retried_team_creates_one_team(demo_platform: Platform) -> None:
    coordinator = demo_platform.http(
        "volunteers", demo_platform.token("tpj-coordinator", DEMO_PASSWORD)
    )
    team = {"community_code": "taipingjie", "name": "幂等志愿队", "kind": "helping"}
    first, again, other = _twice(coordinator, "/teams", team)
    _same_answer(first, again, other)
    listed = coordinator.get("/teams", params={"community_code": "taipingjie"}).json()
    names = [t["name"] for t in listed]
    assert names.count(team["name"]) == 1


def test_every_post_with_a_token_documents_the_header_and_a_malformed_key_is_refused(
    demo_platform: Platform,
) -> None:
    for service, creation in (
        ("incidents", "/incidents"),
        ("incidents", "/assignments/{assignment_id}/acknowledgement"),  # a department's report
        ("organisation", "/districts"),
        ("resources", "/needs"),
        ("resources", "/wishes/{wish_id}/claim"),  # a step
        ("volunteers", "/teams"),
    ):
        document = demo_platform.http(service).get("/openapi.json").json()
        names = [p["name"] for p in document["paths"][creation]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, service
    refused = demo_platform.http("incidents").post(
        "/incidents", json=TRANSFORMER, headers={"Idempotency-Key": "x" * 256}
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["Idempotency-Key"]


def test_a_retry_whose_creation_committed_but_lost_its_answer_is_told_so_not_to_wait(
    demo_platform: Platform,
) -> None:
    """The report committed, then its process died before storing the answer: its key's row is
    marked committed with no answer. A retry within the grace waits; after it, a 409 says the
    report was made once and will not be made again, and no second incident appears."""
    incidents = demo_platform.http("incidents")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert incidents.post("/incidents", json=TRANSFORMER, headers=key).status_code == 201

    def answer_lost(seconds_ago: int) -> None:
        forget = (
            "UPDATE idempotency_keys SET answer = jsonb_build_object('claim', answer->'claim',"
            " 'committed', true, 'committed_at', extract(epoch FROM now()) - $2) WHERE key = $1"
        )
        run_async(
            _execute(demo_platform.database_url("incidents"), forget, key[HEADER], seconds_ago)
        )

    answer_lost(seconds_ago=1)
    waiting = incidents.post("/incidents", json=TRANSFORMER, headers=key)
    assert (waiting.status_code, waiting.headers.get("retry-after")) == (409, "1"), waiting.text

    answer_lost(seconds_ago=ANSWER_GRACE.seconds + 1)
    lost = incidents.post("/incidents", json=TRANSFORMER, headers=key)
    assert lost.status_code == 409 and "retry-after" not in lost.headers, lost.text
    assert lost.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["type"]) for e in lost.json()["errors"]] == [
        ("Idempotency-Key", "idempotency_answer_lost")
    ]
    assert len(incidents.get("/incidents").json()) == 1


async def _execute(url: str, statement: str, *arguments) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement, *arguments)
    finally:
        await connection.close()
