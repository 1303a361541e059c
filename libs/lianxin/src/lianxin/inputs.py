"""What every request's input must be before any route sees it, in one place for every service.

`InputGuard` (installed by `lianxin.service.create_service_app`) checks each request in this
order, and answers the first refusal as problem+json:

1. a route that needs a token gets one (401) — no body is read for an unknown caller;
2. the body is at most the route's limit (`MAX_BODY_BYTES`, or `max_body_size` on the route)
   (413), refused from `Content-Length` or while it is read, never parsed;
3. a JSON body nests at most `MAX_DEPTH` arrays and objects (422, counted without parsing);
4. a route's required body is there (422 naming `body`);
5. no string anywhere — path, query, form field, JSON value or key, text body — holds a
   character PostgreSQL cannot store (NUL, a lone UTF-16 surrogate) (422 naming the field).

A route whose class has `answer_refusal(request, problem)` (Open311's, which answers the spec's
error arrays) answers these refusals itself.

Then FastAPI validates as declared (422), and the route and its checks answer (403, 404, 409…).
`Body`, the base of request bodies, refuses unknown fields.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi.routing import RouteContext, iter_route_contexts
from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lianxin.auth import Unauthorized, authenticated
from lianxin.problems import Problem, problem_response

MAX_BODY_BYTES = 1_000_000
MAX_DEPTH = 32
# PostgreSQL's text holds neither NUL nor (in UTF-8) a surrogate code point.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# In JSON text those come only as escapes (a raw NUL is invalid JSON, raw surrogates invalid UTF-8).
ESCAPED_UNSTORABLE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
# A JSON string, or one bracket: what the nesting count walks over.
JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
WITH_BODY = {"POST", "PUT", "PATCH", "DELETE"}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def unstorable(value: str) -> bool:
    return UNSTORABLE.search(value) is not None


def first_unstorable(value: Any, where: str = "") -> str | None:
    """The dotted path of the first string in a JSON value PostgreSQL could not store."""
    if isinstance(value, str):
        return where or "body" if unstorable(value) else None
    items: Any = ()
    if isinstance(value, dict):
        for key in value:
            if unstorable(key):
                return f"{where}.{key!r}" if where else repr(key)
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        found = first_unstorable(item, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return None


def json_depth(text: str) -> int:
    depth = deepest = 0
    for token in JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def _invalid(field: str, detail: str, type_: str) -> Problem:
    error = {"field": field, "detail": detail, "type": type_}
    return Problem(422, "Unprocessable Content", f"invalid: {field}", errors=[error])


def _unstorable(field: str) -> Problem:
    return _invalid(
        field,
        "holds a character that cannot be stored (NUL or a lone surrogate)",
        "string_unstorable",
    )


class _Route:
    """What the guard needs to know of one route, worked out once."""

    def __init__(self, route: RouteContext) -> None:
        self.route = route
        calls, stack = set(), [route.dependant] if route.dependant else []
        while stack:
            dependant = stack.pop()
            calls.add(dependant.call)
            stack.extend(dependant.dependencies)
        self.needs_token = authenticated in calls
        extra = route.openapi_extra or {}
        field = route.body_field
        self.body_required = bool(
            (field is not None and field.field_info.is_required())
            or extra.get("requestBody", {}).get("required")
        )
        self.max_bytes = route.max_body_size or MAX_BODY_BYTES
        # A route documented to take only files (a photo) reads its bytes itself: no text rule.
        declared = extra.get("requestBody", {}).get("content", {})
        self.binary_body = bool(declared) and all(
            t.startswith("image/") or t == "application/octet-stream" for t in declared
        )


class InputGuard:
    """The ASGI middleware of the rules above; `app` is the FastAPI app it guards."""

    def __init__(self, asgi: ASGIApp, app: Any) -> None:
        self.asgi = asgi
        self.app = app
        self._routes: list[_Route] | None = None

    def _match(self, scope: Scope) -> tuple[_Route | None, dict[str, Any]]:
        if self._routes is None:  # routes are all included by the first request
            self._routes = [
                _Route(r)
                for r in iter_route_contexts(self.app.router.routes)
                if getattr(r, "dependant", None) is not None
            ]
        for route in self._routes:
            match, child = route.route.matches(scope)
            if match is Match.FULL:
                return route, child.get("path_params", {})
        return None, {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.asgi(scope, receive, send)
            return
        route, path_params = self._match(scope)
        try:
            receive = await self._check(scope, receive, route, path_params)
        except Problem as problem:
            answer = getattr(route.route.original_route, "answer_refusal", None) if route else None
            response = (answer or problem_response)(Request(scope), problem)
            await response(scope, receive, send)
            return
        await self.asgi(scope, receive, send)

    async def _check(
        self, scope: Scope, receive: Receive, route: _Route | None, path_params: dict[str, Any]
    ) -> Receive:
        if route is None:
            return receive  # 404 or 405: the router answers
        if route.needs_token:
            await _authenticate(scope)
        for name, value in path_params.items():
            if isinstance(value, str) and unstorable(value):
                raise _unstorable(name)
        _check_pairs(scope.get("query_string", b""))
        if scope["method"] not in WITH_BODY:
            return receive
        body = await _read(scope, receive, route.max_bytes)
        if not body.strip():
            if route.body_required:
                raise _invalid("body", "a request body is required", "missing")
        elif not route.binary_body:
            _check_body(body, _media_type(scope))
        return replaying(body, receive)


async def _authenticate(scope: Scope) -> None:
    """The caller's token checked now, and kept where `authenticated` finds it for the route."""
    request = Request(scope)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer token is required")
    request.state.principal = await request.app.state.token_verifier.verify(token.strip())


def _check_pairs(encoded: bytes) -> None:
    for key, value in parse_qsl(encoded.decode("latin-1"), keep_blank_values=True):
        if unstorable(key) or unstorable(value):
            raise _unstorable(key)


def _media_type(scope: Scope) -> str:
    headers = dict(scope.get("headers") or [])
    return headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()


async def _read(scope: Scope, receive: Receive, limit: int) -> bytes:
    too_large = Problem(413, "Content Too Large", f"a request body is at most {limit} bytes")
    declared = dict(scope.get("headers") or []).get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _check_body(body: bytes, media: str) -> None:
    if media == "application/x-www-form-urlencoded":
        _check_pairs(body)
        return
    is_json = not media or media == "application/json" or media.endswith("+json")
    if not (is_json or media.startswith("text/")):
        return
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid("body", "is not UTF-8", "unicode_decode") from exc
    if not is_json:
        if unstorable(text):
            raise _unstorable("body")
        return
    if json_depth(text) > MAX_DEPTH:
        raise _invalid("body", f"nests deeper than {MAX_DEPTH} levels", "too_deep")
    if ESCAPED_UNSTORABLE.search(text):
        try:
            found = first_unstorable(json.loads(text))
        except ValueError:
            return  # not JSON: FastAPI says so, naming the line
        if found:
            raise _unstorable(found)


def replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app: the body already read, then whatever the client sends next (the
    idempotency keys and the console's CSRF guard read a body before the route too)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
