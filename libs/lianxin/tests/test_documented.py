"""The check of answers against an OpenAPI document, on a client whose server is a function."""

from __future__ import annotations

import httpx

from lianxin.http_clients import sync_client
from lianxin.testing.documented import DocumentedAnswers

DOCUMENT = {
    "paths": {
        "/needs/board": {"get": {"responses": {"200": {}}}},
        "/needs/{need_id}": {
            "get": {
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Need"}}
                        }
                    }
                }
            }
        },
    },
    "components": {
        "schemas": {
            "Need": {
                "type": "object",
                "required": ["id", "title"],
                "properties": {"id": {"type": "string", "format": "uuid"}, "title": {}},
            }
        }
    },
}


def _client(checker: DocumentedAnswers, answer: dict, status: int = 200) -> httpx.Client:
    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=answer)

    return sync_client(
        transport=httpx.MockTransport(server),
        base_url="http://resources",
        event_hooks={"response": [checker.check]},
    )


def test_an_answer_as_documented_passes_and_one_unlike_it_is_named_with_its_route() -> None:
    checker = DocumentedAnswers(DOCUMENT)
    good = {"id": "0190b8a0-7c1e-7000-8000-000000000001", "title": "休息处"}
    with _client(checker, good) as client:
        client.get("/needs/0190b8a0-7c1e-7000-8000-000000000001")
    assert (checker.checked, checker.wrong) == (1, [])
    with _client(checker, {"id": "not-a-uuid"}) as client:
        client.get("/needs/x")
    assert sorted(checker.wrong) == [
        "GET /needs/{need_id} id: 'not-a-uuid' is not a 'uuid'",
        "GET /needs/{need_id} the answer: 'title' is a required property",
    ]


def test_a_status_the_document_does_not_give_the_route_is_named() -> None:
    checker = DocumentedAnswers(DOCUMENT)
    with _client(checker, {}, status=201) as client:
        client.get("/needs/x")
    assert checker.wrong == ["GET /needs/{need_id}: 201 undocumented"]


def test_routes_match_in_the_documents_order_and_errors_are_not_checked() -> None:
    checker = DocumentedAnswers(DOCUMENT)
    with _client(checker, {"anything": 1}) as client:
        client.get("/needs/board")  # the literal route first: no schema, nothing to check
        client.get("/openapi.json")  # no route in the document
    with _client(checker, {"title": 1}, status=404) as client:
        client.get("/needs/x")
    assert (checker.checked, checker.wrong) == (0, [])
