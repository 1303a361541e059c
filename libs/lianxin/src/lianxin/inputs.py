"""The base of every request body: unknown fields are refused, and so is a NUL byte anywhere in
it, which PostgreSQL cannot store (a 422 naming the field instead of a 500 at the database)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def nul_free(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list | tuple):
        return all(nul_free(v) for v in value)
    if isinstance(value, dict):
        return all(nul_free(k) and nul_free(v) for k, v in value.items())
    return True


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if not nul_free(value):
            raise ValueError("NUL bytes are not allowed")
        return value
