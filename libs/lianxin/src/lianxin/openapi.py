"""A service's OpenAPI document as a stranger's client needs it: what FastAPI writes from the
routes, then completed from what every route shares, once for every service.

FastAPI documents a route's success and its own 422 (`HTTPValidationError`, a body no Lianxin
service answers). `truthful_openapi(app)` rewrites the document it builds:

- every error a route can answer is documented as `application/problem+json` with the `Problem`
  schema (`lianxin.problems`): 401 and 403 where a token is needed, 404 where a path, query or
  body names an object, 409 for a command, 413 and 415 where a body is sent, 422 everywhere
  (`lianxin.inputs` refuses unstorable characters in any input); a route's own `responses` win;
- schemas nested under a `$defs` of their own (a route's `openapi_extra` made from
  `model_json_schema()`, resources' answers) are moved to `components/schemas`, so that every
  `$ref` resolves; two different schemas of one name refuse to make a document (a `$ref` would
  name the wrong one);
- a route that answers in a form of its own (Open311's error arrays, XML) documents its
  operation itself: its class's `document_operation(operation, components)` replaces the above;
- each creating operation (a `201`) links to the operations on what it created
  (`POST /districts` → `GET /districts/{code}`, `PATCH`, its retirement), and each answer listing
  things with an `id` to the operations on the first of them (an incident's assignments → their
  steps), so that a client, or a stateful tester, can follow a resource from its creation.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import RouteContext, iter_route_contexts

from lianxin.auth import authenticated
from lianxin.inputs import WITH_BODY
from lianxin.problems import PROBLEM_JSON

SCHEMAS = "#/components/schemas/"
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names each field that was refused.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string", "example": "Unprocessable Content"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "the request's path"},
        "errors": {"type": "array", "items": {"$ref": SCHEMAS + "FieldError"}},
    },
}
FIELD_ERROR = {
    "type": "object",
    "required": ["field", "detail"],
    "properties": {
        "field": {"type": "string", "description": "dotted path: `community_code`, `rows.2.name`"},
        "detail": {"type": "string", "description": "in English"},
        "type": {"type": "string", "description": "the rule broken, for a client to word it"},
        "ctx": {"type": "object", "description": "the rule's figures (`min_length`, `le`…)"},
        "line": {"type": "integer", "description": "an import's line"},
    },
}
FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def truthful_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` answer the completed document (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, routes=app.routes, servers=app.servers
            )
            app.openapi_schema = complete(document, app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _hoist_defs(document, schemas)
    for name in FASTAPI_ERRORS:
        schemas.pop(name, None)
    schemas["Problem"], schemas["FieldError"] = PROBLEM, FIELD_ERROR
    for route in iter_route_contexts(app.routes):
        if not getattr(route, "include_in_schema", False) or route.dependant is None:
            continue
        for method in route.methods or ():
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            own = getattr(route.original_route, "document_operation", None)
            if own is not None:
                own(operation, document["components"])
            else:
                _document_errors(operation, _statuses(route, method, operation))
    _link_resources(document["paths"], schemas)
    return document


def _statuses(route: RouteContext, method: str, operation: dict[str, Any]) -> list[int]:
    calls, stack = set(), [route.dependant]
    while stack:
        dependant = stack.pop()
        calls.add(dependant.call)
        stack.extend(dependant.dependencies)
    statuses = [422]
    if authenticated in calls:
        # 404 too: an object outside the caller's scope, or the caller's own (a volunteer's
        # profile), is not found.
        statuses += [401, 403, 404]
    elif operation.get("parameters") or "requestBody" in operation:
        statuses.append(404)
    if method in WITH_BODY:
        statuses += [409, 413]
    if "requestBody" in operation:
        statuses.append(415)
    return statuses


def _document_errors(operation: dict[str, Any], statuses: list[int]) -> None:
    responses = operation.setdefault("responses", {})
    for status in statuses:
        known = responses.get(str(status))
        if known is None or _is_fastapi_error(known):
            responses[str(status)] = problem_response(status)


def problem_response(status: int, description: str = "") -> dict[str, Any]:
    """An OpenAPI response: a problem document with `status`."""
    return {
        "description": description or HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": {"$ref": SCHEMAS + "Problem"}}},
    }


def _is_fastapi_error(response: dict[str, Any]) -> bool:
    refs = str(response.get("content", {}))
    return any(f"{SCHEMAS}{name}'" in refs for name in FASTAPI_ERRORS)


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> None:
    """Move every nested `$defs` into `components/schemas`, and point its `$ref`s there."""
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            _hoist_defs(schema, schemas)
            known = schemas.setdefault(name, schema)
            if known != schema:  # two classes of one name: a $ref would name the wrong one
                raise ValueError(f"two different schemas are called {name!r}: rename one")
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node["$ref"] = SCHEMAS + ref.removeprefix("#/$defs/")
        for value in node.values():
            _hoist_defs(value, schemas)
    elif isinstance(node, list):
        for value in node:
            _hoist_defs(value, schemas)


def _link_resources(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Links from an answer to the operations on what it names, so that a client (or a
    stateful tester) can follow a resource from its creation through its steps:

    - a creation (a `POST` answering 201) to every operation on what it created:
      `POST /districts` → `GET`/`PATCH /districts/{code}`, `POST /districts/{code}/retirement`
      (the key from the answer's body); `POST /a/{code}/x`, a thing there is one of, → the
      other operations on `/a/{code}/x`; `POST /activities/{activity_id}/shifts` →
      `/shifts/{shift_id}/…`;
    - a creation or a read listing things with an `id` (`assignments: [{id, …}]`) to the
      operations on the first of them: `GET /incidents/{incident_id}` → `POST /assignments/
      {assignment_id}/acknowledgement`, `POST /incidents/{incident_id}/assignments/
      {assignment_id}/withdrawal`. Not a step's answer: a stateful client starts its runs at
      the operations links leave from, and should start them at creations and reads.
    """
    targets = [
        (path, method, operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "operationId" in operation
    ]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                schema = _schema(response, schemas)
                creates = method == "post" and status == "201"
                links = _creation_links(path, schema, targets) if creates else {}
                if creates or method == "get":
                    links |= _member_links(path, schema, schemas, targets, links)
                links.pop(operation.get("operationId"), None)
                if links:
                    response["links"] = {**links, **response.get("links", {})}


def _link(target: dict[str, Any], parameters: dict[str, str], description: str) -> dict[str, Any]:
    return {
        "operationId": target["operationId"],
        "parameters": parameters,
        "description": description,
    }


def _creation_links(
    path: str, schema: dict[str, Any], targets: list[tuple[str, str, dict[str, Any]]]
) -> dict[str, Any]:
    own = _path_params(path)
    # An answer without a declared shape (a dict) carries its aggregate's `id`.
    fields = set(schema.get("properties", {}))
    links = {}
    for target, method, operation in targets:
        extra = _path_params(target) - own
        if target == path:
            if not own or method == "post":
                continue
            parameters = {}
        else:
            under = target.startswith(path + "/{")  # /x/{key}, /x/{key}/step
            beside = target.startswith("/" + path.rsplit("/", 1)[-1] + "/{")  # /shifts/{id}
            if not (under or beside) or len(extra) != 1 or (beside and own & _path_params(target)):
                continue
            (key,) = extra
            if target.split("/")[path.count("/") + 1 if under else 2] != "{" + key + "}":
                continue
            known = fields or ({"id"} if key.endswith("id") else set())
            field = next((f for f in (key, "id", "code") if f in known), None)
            if field is None:
                continue
            parameters = {key: f"$response.body#/{field}"}
        parameters |= {p: f"$request.path.{p}" for p in own & _path_params(target)}
        links[operation["operationId"]] = _link(
            operation, parameters, f"what `POST {path}` created"
        )
    return links


def _member_links(
    path: str,
    schema: dict[str, Any],
    schemas: dict[str, Any],
    targets: list[tuple[str, str, dict[str, Any]]],
    created: dict[str, Any],
) -> dict[str, Any]:
    """Links to the first of each list of things with an `id` the answer holds."""
    # The answer's own key, where it is a creation: `POST /incidents` → its `incident_id`.
    known = {p: f"$request.path.{p}" for p in _path_params(path)}
    for link in created.values():
        known |= {p: v for p, v in link["parameters"].items() if v.startswith("$response")}
    links = {}
    for name, prop in schema.get("properties", {}).items():
        items = _resolve(prop.get("items", {}), schemas) if prop.get("type") == "array" else {}
        if "id" not in items.get("properties", {}) or not name.endswith("s"):
            continue
        key = name.removesuffix("s") + "_id"
        for target, _method, operation in targets:
            needed = _path_params(target)
            if f"/{name}/{{{key}}}" not in target or not needed - {key} <= set(known):
                continue
            parameters = {p: known[p] for p in needed - {key}}
            # One the request named already (a read of one of them) stays the one followed.
            parameters[key] = known.get(key, f"$response.body#/{name}/0/id")
            description = f"the first of the answer's `{name}`"
            links[operation["operationId"]] = _link(operation, parameters, description)
    return links


def _path_params(path: str) -> set[str]:
    return {part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")}


def _schema(response: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of an answer, its `$ref`s followed."""
    return _resolve(
        response.get("content", {}).get("application/json", {}).get("schema", {}), schemas
    )


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = schemas.get(schema["$ref"].removeprefix(SCHEMAS), {})
    return schema
