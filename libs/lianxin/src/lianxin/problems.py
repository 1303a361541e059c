"""RFC 9457 problem details (`application/problem+json`) for every service."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lianxin.errors import ApplicationError, Conflict, Forbidden, NotFound, RuleBroken

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise from a handler or route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        type_: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.errors = errors or []
        self.headers = headers


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "instance": str(request.url.path),
    }
    if problem.detail:
        body["detail"] = problem.detail
    if problem.errors:
        body["errors"] = problem.errors
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def _field_name(loc: tuple[Any, ...], type_: str = "") -> str:
    # ("body", "micro_grid_id") -> "micro_grid_id"; ("query", "limit") -> "limit";
    # ("body", 1) for JSON that does not parse (1: the character where it failed) -> "body"
    if type_ == "json_invalid":
        return "body"
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in {"body", "query", "path"} else loc
    return ".".join(str(p) for p in parts) or "body"


def _error(field: str, detail: str, type_: str = "", ctx: dict | None = None) -> dict[str, Any]:
    """One entry of a problem's `errors`: the field and the English `detail`, and, when known,
    the rule's `type` and its figures (`ctx`: `min_length`, `le`…) for a client to translate."""
    error: dict[str, Any] = {"field": field, "detail": detail}
    if type_:
        error["type"] = type_
    figures = {k: v for k, v in (ctx or {}).items() if isinstance(v, int | float | str)}
    if figures:
        error["ctx"] = figures
    return error


def as_problem(error: ApplicationError) -> Problem:
    """The problem document an application error is answered with (see `lianxin.errors`)."""
    match error:
        case RuleBroken():
            errors = [_error(error.field, error.detail, error.type, error.ctx)]
            return Problem(422, "Unprocessable Content", error.detail, errors=errors)
        case Conflict():
            named = [_error(error.field, error.detail, error.type)] if error.type else None
            return Problem(409, "Conflict", error.detail, errors=named)
        case NotFound():
            return Problem(404, "Not Found", error.detail)
        case Forbidden():
            return Problem(403, "Forbidden", error.detail)
    return Problem(400, "Bad Request", str(error))


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(ApplicationError)
    async def _refused(request: Request, exc: ApplicationError) -> JSONResponse:
        return problem_response(request, as_problem(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            _error(
                _field_name(tuple(e["loc"]), e.get("type", "")),
                e["msg"],
                e.get("type", ""),
                e.get("ctx"),
            )
            for e in exc.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            request, Problem(422, "Unprocessable Content", f"invalid: {fields}", errors=errors)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(request, Problem(exc.status_code, str(exc.detail), headers=headers))


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path (the router names only the first
    route's when several share a path, as `GET` and `POST /needs` do)."""
    from fastapi.routing import iter_route_contexts
    from starlette.routing import Match

    allowed: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            allowed |= set(route.methods or ())
    return sorted(allowed)
