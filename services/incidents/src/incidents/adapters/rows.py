"""Rows ↔ domain objects, declared: a column and a field of the same name carry the same value;
only those that differ say how (`dump`: column ← object, `load`: field ← row)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from sqlalchemy import Table

T = TypeVar("T")


@dataclass(frozen=True)
class RowMapping(Generic[T]):
    cls: type[T]
    table: Table
    dump: dict[str, Callable[[T], Any]] = field(default_factory=dict)
    load: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # Columns `values` leaves to the caller: the object does not hold them (its parent's key),
    # or only some writes give them (a creation time).
    outside: Iterable[str] = ()

    @cached_property
    def _columns(self) -> tuple[str, ...]:
        # Plain `str`, not SQLAlchemy's `quoted_name` (a `str` subclass): the rows are written
        # as JSON (`lianxin.persistence.writes`), whose encoder takes a subclass the slow way.
        return tuple(str(c.name) for c in self.table.c if c.name not in self.outside)

    def values(self, obj: T, **outside: Any) -> dict[str, Any]:
        """The row's columns for `obj`."""
        dump = self.dump
        row = {c: dump[c](obj) if c in dump else getattr(obj, c) for c in self._columns}
        return row | outside

    def instance(self, row: Any) -> T:
        """The object a row holds; fields the table does not have keep their defaults."""
        columns = row._mapping
        kwargs = {
            f.name: self.load[f.name](row) if f.name in self.load else columns[f.name]
            for f in dataclasses.fields(self.cls)  # type: ignore[arg-type]
            if f.init and (f.name in self.load or f.name in columns)
        }
        return self.cls(**kwargs)
