"""How the Open311 facade speaks: its formats, its errors and its key, for every route under
`/open311/v2` (the routes themselves are in `open311.py`).

- **Formats.** GeoReport v2 names the format by the resource's suffix: `.xml` (the spec's
  required one) or `.json`. Where the path has no usable suffix (an unknown resource), the
  `Accept` header chooses, JSON by default. Both answer with `charset=utf-8`.
- **Errors.** The spec's array, `[{"code": <status>, "description": "<field>: <why>"}]`, or in
  XML `<errors><error><code/><description/></error></errors>`, with the spec's statuses: bad
  input 400 (ours says 422 elsewhere), a missing or bad `api_key` 403, an unknown resource 404.
  A client that sends `Accept: application/problem+json` gets our usual RFC 9457 document.
- **Key.** An organisation token, as `api_key` (query or form field) or a bearer header.
- **Document.** `Open311Route.document_operation` writes all of that into the OpenAPI
  document (both formats, the error array, the two ways of passing the key) in place of the
  problem+json errors `lianxin.openapi` documents for the rest of the API, and
  `Open311Route.answer_refusal` answers the input guard's refusals (`lianxin.inputs`: a NUL
  byte, a body too large) in the spec's form too.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from lianxin.auth import Principal, Unauthorized
from lianxin.errors import ApplicationError, RuleBroken
from lianxin.openapi import SCHEMAS
from lianxin.problems import PROBLEM_JSON, Problem, as_problem, problem_response

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# In XML a list is an element of elements named in the singular (GeoReport v2's own examples).
SINGULAR = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def format_of(request: Request) -> str:
    """The format the client asked for: the path's suffix, else its `Accept` header."""
    fmt = request.path_params.get("fmt") or request.url.path.rsplit(".", 1)[-1]
    if fmt in CONTENT_TYPES:
        return fmt
    accept = request.headers.get("accept", "")
    return "xml" if "xml" in accept and "json" not in accept else "json"


def served(fmt: str) -> None:
    """A resource in a format we do not serve does not exist (the spec: 404)."""
    if fmt not in CONTENT_TYPES:
        raise Problem(404, "Not Found", f"format {fmt} is not served: use .xml or .json")


def _xml_value(parent: ElementTree.Element, tag: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(element, SINGULAR.get(tag, "item"), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def as_xml(root: str, item: str, body: list[dict] | dict) -> bytes:
    """`body` in GeoReport v2's XML: a list as `<root><item>…</item>…</root>`, one object as
    `<root>…</root>`; nested lists by `SINGULAR`; null as an empty element."""
    top = ElementTree.Element(root)
    for key, value in body.items() if isinstance(body, dict) else []:
        _xml_value(top, key, value)
    for entry in body if isinstance(body, list) else []:
        _xml_value(top, item, entry)
    return ElementTree.tostring(top, encoding="utf-8", xml_declaration=True)


def respond(
    fmt: str, body: list[dict] | dict, root: str, item: str, status_code: int = 200
) -> Response:
    """`body` in the format asked for: JSON as is, XML as `as_xml(root, item, body)`."""
    if fmt == "xml":
        content = as_xml(root, item, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return Response(content, status_code=status_code, media_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, descriptions: list[str]) -> Response:
    body = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, body, "errors", "error", status_code=status)


def _as_open311(fmt: str, exc: Exception) -> Response:
    if isinstance(exc, RequestValidationError):
        return errors(
            fmt, 400, [f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors()]
        )
    if isinstance(exc, Problem):
        # Open311 clients know 400 for bad input (422 is ours) and 403 for a bad key (401).
        status = {422: 400, 401: 403}.get(exc.status, exc.status)
        details = [f"{e['field']}: {e['detail']}" for e in exc.errors] or [exc.detail or exc.title]
        response = errors(fmt, status, details)
        headers = {k: v for k, v in (exc.headers or {}).items() if k != "WWW-Authenticate"}
        response.headers.update(headers)
        return response
    assert isinstance(exc, HTTPException)
    response = errors(fmt, exc.status_code, [str(exc.detail)])
    response.headers.update(exc.headers or {})
    return response


ERROR_ARRAY = {
    "type": "array",
    "description": "GeoReport v2's errors; in XML `<errors><error><code/><description/>…`",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {
            "code": {"type": "integer", "description": "the HTTP status"},
            "description": {"type": "string", "description": "`<field>: <why>`"},
        },
    },
}
# What each status means here; 401 and 422 only for a client asking for problem+json.
ERROR_STATUSES = {
    400: "bad input (a field named in the description)",
    401: "no or a bad key, to a client that asks for problem+json (others get 403)",
    403: "no or a bad key, or a step the caller may not take",
    404: "no such service, request or format (the path's suffix: xml or json)",
    409: "a step the assignment's state does not allow",
    413: "a body larger than the limit",
    422: "bad input, to a client that asks for problem+json (others get 400)",
}
# The spec's api_key, beside the bearer header FastAPI documents (either will do).
API_KEY = {"type": "apiKey", "in": "query", "name": "api_key", "description": "a token"}


def _error_response(status: int) -> dict[str, Any]:
    problem = {PROBLEM_JSON: {"schema": {"$ref": SCHEMAS + "Problem"}}}
    spec = {
        "application/json": {"schema": {"$ref": SCHEMAS + "Open311Errors"}},
        "text/xml": {"schema": {"type": "string"}},
    }
    content = problem if status in (401, 422) else spec | problem
    return {"description": ERROR_STATUSES[status], "content": content}


class Open311Route(APIRoute):
    """Errors in the spec's array form, in the format asked for; problem+json on request."""

    def document_operation(self, operation: dict[str, Any], components: dict[str, Any]) -> None:
        """The OpenAPI operation as this route answers: `fmt` is xml or json (another suffix
        is a 404), a success in either format, the spec's errors."""
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "fmt" and parameter["in"] == "path":
                parameter["schema"] = {"type": "string", "enum": list(CONTENT_TYPES)}
        components.setdefault("schemas", {})["Open311Errors"] = ERROR_ARRAY
        responses = operation.setdefault("responses", {})
        success = responses.get("200", {"description": "OK"})
        success["content"] = {"text/xml": {}, "application/json": {}}
        statuses = [400, 404, 422]
        if "security" in operation:  # open311_caller: the key as a bearer token or api_key
            components.setdefault("securitySchemes", {})["Open311ApiKey"] = API_KEY
            operation["security"] = [*operation["security"], {"Open311ApiKey": []}]
            statuses += [401, 403]
        if "requestBody" in operation:
            statuses += [409, 413]
        responses.update({str(s): _error_response(s) for s in statuses})
        operation["responses"] = dict(sorted(responses.items()))

    def answer_refusal(self, request: Request, problem: Problem) -> Response:
        """A refusal from before the route ran (`lianxin.inputs`), as the route would answer."""
        if PROBLEM_JSON in request.headers.get("accept", ""):
            return problem_response(request, problem)
        return _as_open311(format_of(request), problem)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handle(request)
            except (ApplicationError, Problem, RequestValidationError, HTTPException) as exc:
                if PROBLEM_JSON in request.headers.get("accept", ""):
                    raise
                problem = as_problem(exc) if isinstance(exc, ApplicationError) else exc
                return _as_open311(format_of(request), problem)

        return route


_bearer = HTTPBearer(auto_error=False)


async def open311_caller(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """A bearer token, or the same token as `api_key` in the query or the form."""
    token = credentials.credentials if credentials else request.query_params.get("api_key")
    if token is None and request.method == "POST":
        with contextlib.suppress(Exception):
            token = (await request.form()).get("api_key")  # type: ignore[assignment]
    if not token:
        raise Unauthorized("api_key: an organisation token is required (or a bearer token)")
    request.state.principal = await request.app.state.token_verifier.verify(str(token))
    return request.state.principal


def w3c(value: datetime | None) -> str | None:
    """The spec's date format: ISO 8601 with the zone, seconds precision."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_w3c(field: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RuleBroken(field, f"{value!r} is not a W3C date-time") from exc
    if parsed.tzinfo is None:
        raise RuleBroken(field, "a date-time needs its zone (Z or ±hh:mm)")
    return parsed


def csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def form_body(required: list[str], *optional: str) -> dict[str, Any]:
    """The OpenAPI request body of a POST that reads its form itself (the spec's field names).
    Not `required`: the route names what is missing, in the spec's error form."""
    fields = {name: {"type": "string"} for name in (*required, *optional)}
    schema = {"type": "object", "required": required, "properties": fields}
    form = {"application/x-www-form-urlencoded": {"schema": schema}}
    return {"requestBody": {"content": form}}


REQUEST_FORM = form_body(
    ["service_code", "description"],
    *("api_key", "address_id", "address_string", "lat", "long", "media_url"),
    *("first_name", "last_name", "phone", "email", "account_id"),
    *("attribute[urgency]", "attribute[contact_consent]"),
)
UPDATE_FORM = form_body(["service_request_id", "status"], "description", "api_key")
