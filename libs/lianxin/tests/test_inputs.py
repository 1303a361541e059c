"""One rule for every service's inputs (`lianxin.inputs`), and the OpenAPI document that says so
(`lianxin.openapi`): on an app built as every service is, by `create_service_app`."""

from __future__ import annotations

import json
import re

import pytest
from fastapi import APIRouter, Form
from fastapi.testclient import TestClient
from pydantic import Field

from lianxin.auth import Principal, Role, SigningKey, claims_for
from lianxin.inputs import MAX_BODY_BYTES, MAX_DEPTH, Body
from lianxin.service import create_service_app

KEY = SigningKey.generate("k1")
TOKEN = KEY.sign(
    claims_for(Principal("u", Role.SERVICE), lifetime_seconds=24 * 3600)
)  # signed at import
AS_PLATFORM = {"Authorization": f"Bearer {TOKEN}"}


class NoteIn(Body):
    community_code: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    extra: dict = Field(default_factory=dict)


def _client() -> TestClient:
    router, public = APIRouter(), APIRouter()

    @router.post("/notes", status_code=201)
    async def record_note(body: NoteIn) -> dict:
        return {"id": "n1", **body.model_dump()}

    @router.get("/notes/{note_id}")
    async def get_note(note_id: str, community_code: str | None = None) -> dict:
        return {"id": note_id}

    @router.delete("/notes/{note_id}")
    async def forget_note(note_id: str) -> dict:
        return {}

    @public.post("/oauth/token")
    async def token(username: str = Form(), password: str = Form()) -> dict:
        return {"access_token": username}

    async def keys() -> dict:
        return {"keys": [KEY.public_jwk()]}

    app = create_service_app(
        "console",
        title="notes",
        metadata=None,
        routers=[router],
        public_routers=[public],
        signing_keys=lambda rt: keys,
    )
    return TestClient(app, headers=AS_PLATFORM)


def _post(client: TestClient, text: str | bytes):
    return client.post("/notes", content=text, headers={"content-type": "application/json"})


def _refused(answer, status: int, field: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    if field is not None:
        assert [e["field"] for e in problem["errors"]] == [field]
    return problem


@pytest.mark.parametrize(
    "request_",
    [
        ("get", "/notes/n1?community_code=a%00", "community_code"),
        ("get", "/notes/a%00b", "note_id"),
        ("post", "/notes", "community_code", {"community_code": "c\x00"}),
        ("post", "/notes", "tags.1", {"community_code": "c", "tags": ["a", "\ud800"]}),
        ("post", "/notes", "extra.a.0", {"community_code": "c", "extra": {"a": ["\x00"]}}),
    ],
)
def test_a_string_postgresql_cannot_store_is_refused_naming_its_field(request_) -> None:
    method, url, field, *body = request_
    kwargs = {"content": json.dumps(body[0])} if body else {}
    answer = _client().request(method, url, headers={"content-type": "application/json"}, **kwargs)
    problem = _refused(answer, 422, field)
    assert problem["errors"][0]["type"] == "string_unstorable"


def test_the_token_endpoint_refuses_a_nul_in_a_form_field_without_a_token() -> None:
    client = _client()
    client.headers.pop("Authorization")
    answer = client.post("/oauth/token", data={"username": "a\x00", "password": "p"})
    _refused(answer, 422, "username")
    assert client.post("/oauth/token", data={"username": "a", "password": "p"}).status_code == 200


def test_a_missing_body_is_refused_naming_the_body() -> None:
    _refused(_client().post("/notes"), 422, "body")


def test_a_body_over_the_limit_is_refused_before_it_is_read_but_after_the_token() -> None:
    huge = b'{"community_code": "' + b"x" * 5_000_000 + b'"}'
    client = _client()
    problem = _refused(_post(client, huge), 413)
    assert str(MAX_BODY_BYTES) in problem["detail"]
    client.headers.pop("Authorization")
    _refused(_post(client, huge), 401)


def test_deep_nesting_is_refused_before_it_is_parsed_and_after_the_token() -> None:
    deep = '{"community_code": "c", "extra": {"a": ' + "[" * 100 + "]" * 100 + "}}"
    client = _client()
    problem = _refused(_post(client, deep), 422, "body")
    assert problem["errors"][0]["type"] == "too_deep"
    shallow = '{"community_code": "c", "extra": {"a": ' + "[" * 10 + "]" * 10 + "}}"
    assert _post(client, shallow).status_code == 201
    # Brackets inside strings are text, not nesting.
    text = json.dumps({"community_code": "[" * (MAX_DEPTH + 5)})
    assert _post(client, text).status_code == 201
    client.headers.pop("Authorization")
    _refused(_post(client, deep), 401)


def test_a_405_names_every_method_the_path_answers() -> None:
    answer = _client().put("/notes/n1")
    _refused(answer, 405)
    assert answer.headers["allow"] == "DELETE, GET"


def test_the_openapi_document_declares_problems_bodies_and_links() -> None:
    document = _client().get("/openapi.json").json()
    text = json.dumps(document)
    assert "HTTPValidationError" not in text
    schemas = document["components"]["schemas"]
    for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text):
        assert ref in schemas
    created = document["paths"]["/notes"]["post"]["responses"]
    assert set(created) >= {"201", "401", "403", "409", "413", "415", "422"}
    assert created["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    # A creation links to every operation on what it created, its key from the answer.
    links = created["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        document["paths"]["/notes/{note_id}"][m]["operationId"] for m in ("get", "delete")
    }
    assert all(link["parameters"] == {"note_id": "$response.body#/id"} for link in links.values())
    token = document["paths"]["/oauth/token"]["post"]["responses"]
    assert "401" not in token and "422" in token
