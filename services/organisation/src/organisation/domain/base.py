"""What every aggregate of the organisation shares: a version, retirement, events, personal data."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from lianxin.errors import Conflict, require
from organisation.domain import events


def require_text(value: str | None, field: str) -> str:
    require(value and value.strip(), field, f"{field} must not be blank")
    return value.strip()  # type: ignore[union-attr]


def not_retired(aggregate: Aggregate, field: str) -> None:
    """An aggregate a request names must not be retired: 422 naming the field that names it."""
    name = aggregate.AGGREGATE.replace("_", " ")
    require(aggregate.active, field, f"{name} {aggregate.key} is retired")


def unique(values: list[str], field: str) -> list[str]:
    require(len(set(values)) == len(values), field, f"{field} names something twice")
    return list(values)


@dataclass(kw_only=True)
class Aggregate:
    """An aggregate's life: registered, updated (version + 1 each time), retired, never deleted."""

    AGGREGATE: ClassVar[str]
    KEY: ClassVar[str] = "code"
    # Fields holding personal data (names, phones): masked where the viewer may not see them.
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset()
    # Personal contact data kept here but never put in an event.
    UNPUBLISHED: ClassVar[frozenset[str]] = frozenset()

    version: int = 1
    retired_at: datetime | None = None
    events: list[object] = field(default_factory=list, repr=False, compare=False)

    @property
    def key(self) -> str:
        return getattr(self, self.KEY)

    @property
    def active(self) -> bool:
        return self.retired_at is None

    def ensure_active(self) -> None:
        if not self.active:
            raise Conflict(f"{self.AGGREGATE} {self.key} is retired")

    def snapshot(self) -> dict[str, Any]:
        """The public state events carry: everything but unpublished contact data."""
        return public_state(self)

    def retire(self, now: datetime) -> None:
        self.ensure_active()
        self.retired_at = now
        self.version += 1
        self.events.append(events.Retired(self.AGGREGATE, self.snapshot()))

    @classmethod
    def _new(cls, *args: Any, **kwargs: Any) -> Self:
        """A newly registered aggregate of these (checked) fields, its `Registered` recorded."""
        aggregate = cls(*args, **kwargs)
        aggregate.events.append(events.Registered(cls.AGGREGATE, aggregate.snapshot()))
        return aggregate

    def _apply(self, changes: dict[str, Any]) -> list[str]:
        """Set what really changed; one version and one event for the lot, none for nothing."""
        self.ensure_active()
        changed = [name for name, value in changes.items() if getattr(self, name) != value]
        for name in changed:
            setattr(self, name, changes[name])
        if changed:
            self.version += 1
            self.events.append(events.Updated(self.AGGREGATE, self.snapshot(), tuple(changed)))
        return changed


def public_state(value: Any) -> Any:
    """A dataclass as plain data, leaving out its `events` and its UNPUBLISHED fields, deeply."""
    if is_dataclass(value) and not isinstance(value, type):
        hidden = getattr(value, "UNPUBLISHED", frozenset())
        return {
            f.name: public_state(getattr(value, f.name))
            for f in fields(value)
            if f.name != "events" and f.name not in hidden
        }
    if isinstance(value, list | tuple):
        return [public_state(v) for v in value]
    return value


def only(changes: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = sorted(set(changes) - allowed)
    require(not unknown, unknown[0] if unknown else "", f"{', '.join(unknown)} cannot be changed")
    return changes
