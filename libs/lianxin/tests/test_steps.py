"""Step routes from a table read, in OpenAPI, as if each were written out."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from lianxin.steps import Step, add_steps


class ReasonIn(BaseModel):
    reason: str


async def run(rt: Any, p: Any, wish_id: UUID, step: str, body: Any) -> dict[str, Any]:
    return {"id": str(wish_id), "step": step}


def test_each_step_is_a_route_with_its_name_path_parameter_and_body() -> None:
    router = APIRouter()
    steps = [
        Step("close", "close", "close", doc="销单."),
        Step("withdraw", "withdraw", "w", ReasonIn),
    ]
    add_steps(router, "/wishes", "wish_id", run, steps, returns=dict[str, Any])
    app = FastAPI()
    app.include_router(router)
    paths = app.openapi()["paths"]
    close, withdraw = paths["/wishes/{wish_id}/close"]["post"], paths["/wishes/{wish_id}/withdraw"]
    assert close["operationId"] == "close_wishes__wish_id__close_post"
    assert (close["summary"], close["description"]) == ("Close", "销单.")
    assert [p["name"] for p in close["parameters"]] == ["wish_id"]
    assert "requestBody" not in close
    body = withdraw["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ReasonIn"}
