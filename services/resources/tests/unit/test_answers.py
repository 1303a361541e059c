"""What resources' OpenAPI document says each route answers: the aggregate's state, read from its
dataclass (`entrypoints.answers`), never a bare object. The access matrix checks real answers
against it."""

from __future__ import annotations

import dataclasses

from jsonschema import Draft202012Validator

from lianxin.testing.access_matrix import PUBLIC
from resources.adapters.codec import dump
from resources.domain.needs import Need
from resources.entrypoints.answers import state_schema
from resources.entrypoints.app import create_app

from .builders import a_need


def test_every_route_of_resources_documents_what_it_answers() -> None:
    document = create_app().openapi()
    bare = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if (method.upper(), path) not in PUBLIC  # every service's health and operations
        for status, response in operation["responses"].items()
        if status.startswith("2")
        and _is_bare(response["content"]["application/json"]["schema"], document)
    ]
    assert bare == [], "give the route an entrypoints.answers type"


def _is_bare(schema: dict, document: dict) -> bool:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if schema.get("type") == "array":
        return _is_bare(schema["items"], document)
    return "properties" not in schema


def test_a_state_schema_is_what_the_codec_writes() -> None:
    need = a_need()
    schema = state_schema(Need)
    errors = list(Draft202012Validator(schema).iter_errors(dump(need)))
    assert errors == []
    assert schema["properties"]["_type"] == {"const": "Need", "type": "string"}
    assert "events" not in schema["properties"]
    written = set(dump(need))
    assert written == set(schema["required"]) == set(schema["properties"])


def test_a_field_left_out_is_left_out_of_the_schema_too() -> None:
    schema = state_schema(Need, frozenset({"description"}))
    assert "description" not in schema["properties"]
    assert "description" not in schema["required"]
    assert "description" in state_schema(Need)["properties"]  # the cached whole is untouched


def test_a_dataclass_nested_in_the_state_is_tagged_with_its_type() -> None:
    from resources.domain.meetings import JointMeeting

    schema = state_schema(JointMeeting)
    decision = schema["$defs"]["ProjectDecision"]
    assert decision["properties"]["_type"]["const"] == "ProjectDecision"
    assert [f.name for f in dataclasses.fields(JointMeeting) if f.name != "events"] + [
        "_type"
    ] == list(schema["properties"])
