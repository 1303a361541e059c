"""Bulk imports: every line checked, every error named by line and field, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lianxin.errors import ApplicationError, Conflict, RuleBroken

MAX_LINES = 5000


class InvalidRows(ApplicationError):
    """A bulk import with bad lines: every error names its line and field; nothing is written.
    The HTTP entrypoint answers it as a 422 problem listing `errors`."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        lines = sorted({e["line"] for e in errors})
        shown = ", ".join(map(str, lines[:20]))
        super().__init__(f"{len(errors)} error(s) on line(s) {shown}; nothing saved")
        self.errors = errors


@dataclass
class Line:
    """One record of an import: its line in the file, and its fields once they passed validation
    (None when they did not: `errors` say why)."""

    number: int
    raw: dict[str, Any]
    fields: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


class LineErrors:
    """Collects errors line by line; `failed` remembers which codes' lines went wrong."""

    def __init__(self, lines: list[Line]) -> None:
        self.errors: list[dict[str, Any]] = []
        self.failed: dict[str, int] = {}
        if not lines:
            self.errors.append({"line": 1, "field": "body", "detail": "nothing to import"})
        if len(lines) > MAX_LINES:
            self.errors.append(
                {"line": lines[MAX_LINES].number, "field": "body", "detail": "too many lines"}
            )
        for line in lines:
            for error in line.errors:
                self.add(line, error["field"], error["detail"])

    def add(self, line: Line, field_name: str, detail: str, *, failed: bool = True) -> None:
        self.errors.append({"line": line.number, "field": field_name, "detail": detail})
        code = line.raw.get("code")
        if failed and isinstance(code, str):
            self.failed.setdefault(code, line.number)

    @contextmanager
    def checking(self, line: Line) -> Iterator[None]:
        """Run the domain on one line; a broken rule becomes that line's error."""
        try:
            yield
        except (RuleBroken, Conflict) as broken:
            self.add(line, getattr(broken, "field", "code"), str(broken))

    def raise_any(self) -> None:
        if self.errors:
            raise InvalidRows(sorted(self.errors, key=lambda e: e["line"]))


def valid(lines: list[Line]) -> Iterator[tuple[Line, dict[str, Any]]]:
    for line in lines:
        if line.fields is not None and not line.errors:
            yield line, line.fields
