"""What a resources route answers, in its OpenAPI document: an aggregate (or a domain value) as
`out` shapes it, its schema read from the dataclass itself, so nothing is written twice.

Why not an `…Out` model per aggregate as the other services have: resources answers the
aggregate's whole state as its codec writes it (nested parts, `_type` naming each dataclass,
what `skip` leaves out), and a hand-written copy of some fifty nested classes would drift from
it. `answer(Need)` is `dict[str, Any]` to FastAPI (the answer goes out as it is) with that state's
JSON Schema for the document; the access matrix and the fuzz pass check real answers against it.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Annotated, Any

from pydantic import TypeAdapter, WithJsonSchema

from resources.adapters.codec import type_checking_names

Schema = dict[str, Any]
# A quarter as answers write it (`str(Quarter)`), and the query that names one.
QUARTER_PATTERN = r"^\d{4}-Q[1-4]$"
QUARTER: Schema = {"type": "string", "pattern": QUARTER_PATTERN}


def answer(cls: type, *skip: str, extra: Schema | None = None) -> Any:
    """`out(an instance of cls, skip…)` as a route's return type; `extra`: the properties a
    route adds beside the state."""
    return described(answer_schema(cls, *skip, extra=extra))


def answer_schema(cls: type, *skip: str, extra: Schema | None = None) -> Schema:
    schema = state_schema(cls, frozenset(skip))
    if not extra:
        return schema
    return {
        **schema,
        "properties": {**schema["properties"], **extra},
        "required": [*schema["required"], *(k for k in extra if k not in schema["required"])],
    }


def described(schema: Schema) -> Any:
    """A JSON answer as it is (`dict[str, Any]` to FastAPI), documented by `schema`."""
    return Annotated[dict[str, Any], WithJsonSchema(schema)]


@cache
def state_schema(cls: type, skip: frozenset[str] = frozenset()) -> Schema:
    """The JSON Schema of `dump(instance)`: the dataclass's fields but `events` and `skip`,
    and `_type`, in every dataclass it holds too."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    schema = _adapter(cls).json_schema(mode="serialization")
    for node in [schema, *schema.get("$defs", {}).values()]:
        if "properties" in node:  # a dataclass (the rest are enums)
            _as_dumped(node)
    for name in skip:
        schema["properties"].pop(name)
        schema["required"] = [r for r in schema["required"] if r != name]
    return schema


def _adapter(cls: type) -> TypeAdapter[Any]:
    # The domain names these classes only under TYPE_CHECKING (import cycles): pydantic resolves
    # such names from the calling frame's locals.
    names = type_checking_names()
    FeedbackItem, Project = names["FeedbackItem"], names["Project"]  # noqa: F841
    return TypeAdapter(cls)


def _as_dumped(node: Schema) -> None:
    properties = node["properties"]
    properties.pop("events", None)
    properties["_type"] = {"const": node["title"], "type": "string"}
    # The codec writes every field, a default one too.
    node["required"] = list(properties)
