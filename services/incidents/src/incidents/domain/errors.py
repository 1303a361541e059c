"""The one way the domain says no."""

from __future__ import annotations


class RuleBroken(ValueError):
    """A command that the incident's state or the rules do not allow; `field` names the input.

    A command that raises it has changed nothing: every command checks before it acts.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
