"""Problem documents name, beside each field's English detail, the rule it broke and its figures,
so that a client can word the error in its own language."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from lianxin.errors import RuleBroken
from lianxin.problems import install_problem_handlers


class Report(BaseModel):
    description: str = Field(min_length=1)
    affected_households: int = Field(default=0, le=1_000_000)


def _app() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/reports")
    async def report(body: Report) -> dict:
        if body.affected_households > 90:
            raise RuleBroken(
                "affected_households",
                "more than the 90 households of m01",
                type_="households_above_grid",
                ctx={"households": 90},
            )
        return {}

    return TestClient(app)


def test_a_validation_error_carries_its_type_and_figures_beside_its_detail() -> None:
    answer = _app().post("/reports", json={"description": "", "affected_households": 2_000_000})
    assert answer.status_code == 422
    errors = {e["field"]: e for e in answer.json()["errors"]}
    assert errors["description"] == {
        "field": "description",
        "detail": "String should have at least 1 character",
        "type": "string_too_short",
        "ctx": {"min_length": 1},
    }
    assert errors["affected_households"]["type"] == "less_than_equal"
    assert errors["affected_households"]["ctx"] == {"le": 1_000_000}


def test_a_broken_rule_carries_its_type_and_figures_when_it_names_them() -> None:
    answer = _app().post("/reports", json={"description": "停电", "affected_households": 100})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {
            "field": "affected_households",
            "detail": "more than the 90 households of m01",
            "type": "households_above_grid",
            "ctx": {"households": 90},
        }
    ]
