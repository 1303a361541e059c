"""The application's ways of saying no, free of any framework.

Domain code and handlers raise these; only the HTTP entrypoint turns them into problem+json
(`lianxin.problems`), and a consumer turns them into a terminated message with its reason.

| error        | meaning                                              | HTTP |
|--------------|------------------------------------------------------|------|
| `RuleBroken` | an input breaks a rule; `field` names it             | 422  |
| `Conflict`   | the object's state does not allow it (or it exists)  | 409  |
| `NotFound`   | no such object, or one outside the caller's scope    | 404  |
| `Forbidden`  | the caller's role may not do this                    | 403  |
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal that changed nothing: every command checks before it acts."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RuleBroken(ApplicationError):
    """A rule the input breaks, on one field. `type` and `ctx` name the rule and its figures
    (as pydantic names its own: `type_="households_above_grid", ctx={"households": 90}`) so that
    a client can word the error in its own language; `detail` stays the English sentence."""

    def __init__(
        self, field: str, detail: str, *, type_: str = "", ctx: dict[str, object] | None = None
    ) -> None:
        super().__init__(detail)
        self.field = field
        self.type = type_
        self.ctx = ctx or {}


class Conflict(ApplicationError):
    """A wrong state. Optionally named as a rule is (`type_`, on the `field` a form shows it
    beside), so that a client can word it in its own language; `detail` stays English."""

    def __init__(self, detail: str, *, field: str = "", type_: str = "") -> None:
        super().__init__(detail)
        self.field = field
        self.type = type_


class NotFound(ApplicationError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} does not exist")
        self.what = what
        self.key = key


class Forbidden(ApplicationError):
    pass


def require(condition: object, field: str, detail: str) -> None:
    """Raise `RuleBroken(field, detail)` unless `condition` holds."""
    if not condition:
        raise RuleBroken(field, detail)
