"""An aggregate's state as JSON and back, read from its dataclass fields' type hints.

Why a state column rather than a column per field: the aggregates hold nested parts (a project's
responsibilities, milestones, reports and ratings; a meeting's agenda with its suggestions and its
decisions) that are only ever read and written with their aggregate. The columns the lists are
queried by (community, status, unit, dates) sit beside the state as real columns, and what must
be race-proof or private has its own column or table (project claims, a wish's claimant and its
resident). A dataclass inside a union (a meeting's decisions) is tagged with its class name.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union
from uuid import UUID

T = TypeVar("T")


def dump(value: Any, skip: frozenset[str] = frozenset()) -> Any:
    """JSON-able state: dataclasses as objects (fields in `skip` and `events` left out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {
            f.name: dump(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in skip and f.name != "events"
        }
        out["_type"] = type(value).__name__
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    return value


@cache
def type_checking_names() -> dict[str, Any]:
    """Classes the domain names only under TYPE_CHECKING (to avoid import cycles)."""
    from resources.domain import feedback, projects

    return {"FeedbackItem": feedback.FeedbackItem, "Project": projects.Project}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, localns=type_checking_names())


def load(cls: type[T], data: dict[str, Any], **extra: Any) -> T:
    """The dataclass `cls` from `dump`'s output; `extra` fills the fields kept in columns."""
    hints = _hints(cls)
    kwargs = {
        f.name: _value(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in data and f.name != "events"
    }
    return cls(**kwargs, **extra)


def _value(hint: Any, raw: Any) -> Any:
    if raw is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) == 1:
            return _value(options[0], raw)
        tag = raw.get("_type") if isinstance(raw, dict) else None
        chosen = next(o for o in options if getattr(o, "__name__", None) == tag)
        return _value(chosen, raw)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v) for v in raw)
        return tuple(_value(a, v) for a, v in zip(args, raw, strict=True))
    if origin is list:
        (arg,) = typing.get_args(hint)
        return [_value(arg, v) for v in raw]
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return load(hint, raw)
        if issubclass(hint, Enum):
            return hint(raw)
        if hint is UUID:
            return UUID(raw)
        if hint is datetime:
            return datetime.fromisoformat(raw)
        if hint is float:
            return float(raw)
    return raw
