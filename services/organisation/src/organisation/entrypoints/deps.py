"""What every route module shares: the unit of work, and aggregates as response data."""

from __future__ import annotations

from dataclasses import asdict, fields, is_dataclass
from typing import Any

from fastapi import Depends

from lianxin.service import Runtime, runtime
from organisation.domain.base import Aggregate
from organisation.domain.grid import Counts
from organisation.service_layer.unit_of_work import OrganisationUnitOfWork


def uow(rt: Runtime = Depends(runtime)) -> OrganisationUnitOfWork:
    return rt.uow()  # type: ignore[return-value]


def state(aggregate: Aggregate, **extra: Any) -> dict[str, Any]:
    """Everything the aggregate holds, personal contact data included (the API may show it)."""
    data = {f.name: _plain(getattr(aggregate, f.name)) for f in fields(aggregate)}
    data.pop("events")
    return {**data, **extra}


def counts(totals: Counts | None) -> dict[str, int]:
    return asdict(totals or Counts())


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def import_body(model: type) -> dict[str, Any]:
    """The OpenAPI request body of an import (`imports.read_lines`): a JSON array of `model`, or
    CSV with a header line naming its fields (list fields split by `;`)."""
    schema = {"type": "array", "items": model.model_json_schema()}  # type: ignore[attr-defined]
    csv = {"type": "string", "description": "a header line, then one record a line"}
    content = {"application/json": {"schema": schema}, "text/csv": {"schema": csv}}
    return {"requestBody": {"required": True, "content": content}}
