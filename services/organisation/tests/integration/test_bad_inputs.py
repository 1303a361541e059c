"""Inputs a stranger's client sends that organisation answered with a 500 (issue #16): each is a
4xx problem naming what was wrong."""

from __future__ import annotations

import httpx
import pytest

COORDINATOR = {
    "username": "tpj-coordinator",
    "display_name": "社区书记",
    "role": "community_coordinator",
    "scope": {"communities": ["taipingjie"]},
    "secret": "secret-for-tests",
}


@pytest.fixture
async def as_coordinator(tpj: httpx.AsyncClient, org_token):
    (await tpj.post("/accounts", json=COORDINATOR)).raise_for_status()
    token = await org_token(COORDINATOR["username"], COORDINATOR["secret"])
    platform = tpj.headers["Authorization"]
    tpj.headers["Authorization"] = f"Bearer {token}"
    yield tpj
    tpj.headers["Authorization"] = platform


def _fields(answer: httpx.Response, status: int = 422) -> list[str]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in answer.json().get("errors", [])]


@pytest.mark.parametrize(
    "path", ["/grid-nodes", "/member-units", "/party-organisations", "/people"]
)
async def test_a_create_without_a_body_names_the_body(
    as_coordinator: httpx.AsyncClient, path: str
) -> None:
    assert _fields(await as_coordinator.post(path)) == ["body"]
    invalid = await as_coordinator.post(
        path, content=b"{", headers={"content-type": "application/json"}
    )
    assert _fields(invalid) == ["body"]


async def test_a_coordinator_omitting_the_community_is_told_to_name_it(
    as_coordinator: httpx.AsyncClient,
) -> None:
    assert _fields(await as_coordinator.get("/member-units")) == ["community_code"]
    listed = await as_coordinator.get("/member-units", params={"community_code": "taipingjie"})
    assert listed.status_code == 200


async def test_a_nul_in_a_query_filter_or_the_token_form_is_refused(tpj: httpx.AsyncClient) -> None:
    assert _fields(await tpj.get("/communities", params={"street_code": "a\x00"})) == [
        "street_code"
    ]
    form = {"grant_type": "password", "username": "a\x00", "password": "x"}
    answer = await tpj.post("/oauth/token", data=form, headers={"Authorization": ""})
    assert _fields(answer) == ["username"]


async def test_a_dead_letter_id_out_of_range_is_refused(tpj: httpx.AsyncClient) -> None:
    answer = await tpj.post("/ops/dead-letters/9223372036854775808/replay")
    assert _fields(answer) == ["dead_letter_id"]


async def test_an_import_takes_csv_and_refuses_more_than_its_limit(tpj: httpx.AsyncClient) -> None:
    csv = "code,name,kind,relation\ntpj-u9,派出所,party_government_organ,resident\n"
    url = "/communities/taipingjie/member-units/import"
    imported = await tpj.post(url, content=csv.encode(), headers={"content-type": "text/csv"})
    assert imported.status_code == 201, imported.text
    huge = b"[" + b" " * 6_000_000 + b"]"
    too_large = await tpj.post(url, content=huge, headers={"content-type": "application/json"})
    assert too_large.status_code == 413
