"""The OpenAPI links `lianxin.openapi` writes, which a stateful client follows: from a creation
to every operation on what it created, and from an answer listing things with an `id` to the
operations on the first of them."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, WithJsonSchema

from lianxin.openapi import truthful_openapi


class AssignmentOut(BaseModel):
    id: str


class CaseOut(BaseModel):
    id: str
    assignments: list[AssignmentOut]


def _document() -> dict:
    app = FastAPI()

    @app.post("/cases", status_code=201)
    async def open_case() -> CaseOut: ...

    @app.get("/cases/{case_id}")
    async def get_case(case_id: str) -> CaseOut: ...

    @app.post("/cases/{case_id}/closure")
    async def close_case(case_id: str) -> CaseOut: ...

    @app.post("/assignments/{assignment_id}/start")
    async def start(assignment_id: str) -> CaseOut: ...

    @app.post("/assignments/{assignment_id}/finish")
    async def finish(assignment_id: str) -> CaseOut: ...

    @app.post("/cases/{case_id}/assignments/{assignment_id}/withdrawal")
    async def withdraw(case_id: str, assignment_id: str) -> CaseOut: ...

    @app.get("/elsewhere/{code}")
    async def elsewhere(code: str) -> dict: ...

    truthful_openapi(app)
    return app.openapi()


def _links(document: dict, path: str, method: str, status: str) -> dict[str, dict]:
    links = document["paths"][path][method]["responses"][status].get("links", {})
    return {link["operationId"].split("_")[0]: link["parameters"] for link in links.values()}


def test_a_creation_links_to_every_operation_on_what_it_created_and_its_members() -> None:
    assert _links(_document(), "/cases", "post", "201") == {
        "get": {"case_id": "$response.body#/id"},
        "close": {"case_id": "$response.body#/id"},
        "start": {"assignment_id": "$response.body#/assignments/0/id"},
        "finish": {"assignment_id": "$response.body#/assignments/0/id"},
        "withdraw": {
            "case_id": "$response.body#/id",
            "assignment_id": "$response.body#/assignments/0/id",
        },
    }


def test_a_read_links_to_its_first_members_steps_and_a_step_nowhere() -> None:
    document = _document()
    assert _links(document, "/cases/{case_id}", "get", "200")["withdraw"] == {
        "case_id": "$request.path.case_id",
        "assignment_id": "$response.body#/assignments/0/id",
    }
    # A step's answer links nowhere: a stateful client would start its runs there.
    assert _links(document, "/assignments/{assignment_id}/start", "post", "200") == {}


def _status(*values: str) -> Any:
    """An answer whose schema names its enum `Status`, as pydantic names a class's."""
    schema = {"$ref": "#/$defs/Status", "$defs": {"Status": {"enum": list(values)}}}
    return Annotated[dict[str, Any], WithJsonSchema(schema)]


NeedStatus = _status("open", "met")
WishStatus = _status("waiting", "claimed")


def test_two_different_schemas_of_one_name_refuse_to_make_a_document() -> None:
    app = FastAPI()

    @app.get("/needs")
    async def needs() -> NeedStatus: ...

    @app.get("/wishes")
    async def wishes() -> WishStatus: ...

    truthful_openapi(app)
    with pytest.raises(ValueError, match="two different schemas are called 'Status'"):
        app.openapi()
