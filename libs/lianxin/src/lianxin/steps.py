"""Routes of one shape from a table: `METHOD {prefix}/{id}/{path}` runs one step on one aggregate.

A service lists its steps (`Step`) and gives one `run(rt, principal, id, step, body)` that calls
its handler and shapes the answer; `add_steps` writes the routes as if each were written out:
the path parameter keeps the aggregate's name (`wish_id`), the body its model, the route its name
(so the operation id and summary do not change) and its description.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from inspect import Parameter, Signature
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from lianxin.auth import Principal, authenticated
from lianxin.service import Runtime, runtime

Run = Callable[[Runtime[Any], Principal, UUID, str, Any], Awaitable[Any]]


@dataclass(frozen=True)
class Step:
    path: str  # under {prefix}/{id}/
    name: str  # the route's name, as the function's name of a route written out
    step: str  # what `run` is told to do
    body: type[BaseModel] | None = None
    method: str = "POST"
    doc: str | None = None


def add_steps(
    router: APIRouter,
    prefix: str,
    key: str,
    run: Run,
    steps: Iterable[Step],
    *,
    returns: Any = Any,
    **route: Any,
) -> None:
    """One route per step; `returns` is what a written-out route would be annotated with,
    `route` more arguments of `add_api_route` (a `response_model`)."""
    for step in steps:
        router.add_api_route(
            f"{prefix}/{{{key}}}/{step.path}",
            _endpoint(key, step, run, returns),
            methods=[step.method],
            name=step.name,
            description=step.doc,
            **route,
        )


def _endpoint(key: str, step: Step, run: Run, returns: Any) -> Callable[..., Awaitable[Any]]:
    async def endpoint(**given: Any) -> Any:
        return await run(given["rt"], given["p"], given[key], step.step, given.get("body"))

    params = [Parameter(key, Parameter.KEYWORD_ONLY, annotation=UUID)]
    if step.body is not None:
        params.append(Parameter("body", Parameter.KEYWORD_ONLY, annotation=step.body))
    params += [
        Parameter("rt", Parameter.KEYWORD_ONLY, annotation=Runtime, default=Depends(runtime)),
        Parameter(
            "p", Parameter.KEYWORD_ONLY, annotation=Principal, default=Depends(authenticated)
        ),
    ]
    endpoint.__signature__ = Signature(params, return_annotation=returns)  # type: ignore[attr-defined]
    return endpoint
