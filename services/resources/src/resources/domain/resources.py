"""The resources list (资源清单): what each member unit offers the community, and how much is left.

A unit files its list at the start of the year and refreshes it every half year. Staleness rule,
per unit: its list is stale at `now` when it has no offer on the list at all, or when any of its
live offers was last filed or refreshed 183 days (half a year) or more before `now`. A unit
confirming "nothing changed" refreshes each offer all the same: the point is that someone looked.

Quantities are whole numbers in the offer's own unit (yuan, m², hours, people, seats, vehicles):
the lists count, they do not keep accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, require
from resources.domain import events
from resources.domain.common import Aggregate, choice, require_aware, require_text

STALE_AFTER = timedelta(days=183)


class ResourceKind(StrEnum):
    VENUE = "venue"
    FUNDS = "funds"
    EXPERTISE = "expertise"
    PEOPLE = "people"
    GOODS = "goods"
    VEHICLE = "vehicle"


@dataclass(kw_only=True)
class ResourceOffer(Aggregate):
    id: UUID
    member_unit_code: str
    community_code: str
    kind: ResourceKind
    title: str
    quantity: int
    unit: str
    quantity_left: int
    available_from: datetime
    available_until: datetime | None
    emergency_available: bool
    filed_at: datetime
    refreshed_at: datetime
    # The need categories and skills it can serve: what matching compares.
    categories: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    # Where it is, when it is somewhere (a venue, a depot): same grid ranks first.
    grid_node_code: str | None = None
    withdrawn_at: datetime | None = None

    @classmethod
    def file(
        cls,
        *,
        member_unit_code: str,
        community_code: str,
        kind: str,
        title: str,
        quantity: int,
        unit: str,
        available_from: datetime,
        now: datetime,
        available_until: datetime | None = None,
        emergency_available: bool = False,
        categories: Iterable[str] = (),
        skills: Iterable[str] = (),
        grid_node_code: str | None = None,
        offer_id: UUID | None = None,
    ) -> ResourceOffer:
        _check_quantity(quantity, "quantity")
        require_aware(available_from, "available_from")
        _check_until(available_from, available_until)
        offer = cls(
            id=offer_id or uuid4(),
            member_unit_code=require_text(member_unit_code, "member_unit_code", 64),
            community_code=require_text(community_code, "community_code", 64),
            kind=choice(ResourceKind, kind, "kind"),
            title=require_text(title, "title", 200),
            quantity=quantity,
            unit=require_text(unit, "unit", 32),
            quantity_left=quantity,
            available_from=available_from,
            available_until=available_until,
            emergency_available=emergency_available,
            filed_at=require_aware(now, "now"),
            refreshed_at=now,
            categories=tuple(sorted({require_text(c, "categories", 64) for c in categories})),
            skills=tuple(sorted({require_text(s, "skills", 64) for s in skills})),
            grid_node_code=grid_node_code.strip() if grid_node_code else None,
        )
        offer.events.append(
            events.ResourceOffered(
                offer.id,
                offer.member_unit_code,
                offer.community_code,
                offer.kind.value,
                offer.title,
                quantity,
                offer.unit,
                emergency_available,
                now,
            )
        )
        return offer

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None

    def available_at(self, at: datetime) -> bool:
        return (
            self.live
            and self.quantity_left > 0
            and self.available_from <= at
            and (self.available_until is None or at < self.available_until)
        )

    def _ensure_live(self) -> None:
        if not self.live:
            raise Conflict(f"resource offer {self.id} was withdrawn")

    def refresh(
        self,
        now: datetime,
        *,
        quantity_left: int | None = None,
        available_until: datetime | None = None,
        emergency_available: bool | None = None,
    ) -> None:
        """The half-yearly look: whatever changed, and the date someone confirmed the rest."""
        left = self.quantity_left if quantity_left is None else quantity_left
        _check_quantity(left, "quantity_left", allow_zero=True)
        until = self.available_until if available_until is None else available_until
        _check_until(self.available_from, until)
        self._ensure_live()
        self.quantity_left = left
        self.quantity = max(self.quantity, left)
        self.available_until = until
        if emergency_available is not None:
            self.emergency_available = emergency_available
        self.refreshed_at = now
        self.events.append(
            events.ResourceRefreshed(self.id, self.member_unit_code, left, until, now)
        )

    def use(self, quantity: int, purpose: str, now: datetime, reference_id: UUID | None) -> None:
        """Some of it went to a project, a need or an emergency: the list shows what is left."""
        _check_quantity(quantity, "quantity")
        text = require_text(purpose, "purpose", 200)
        self._ensure_live()
        if quantity > self.quantity_left:
            raise Conflict(
                f"resource offer {self.id} has {self.quantity_left} {self.unit} left, "
                f"not {quantity}"
            )
        self.quantity_left -= quantity
        self.events.append(
            events.ResourceUsed(
                self.id,
                self.member_unit_code,
                quantity,
                self.quantity_left,
                text,
                reference_id,
                now,
            )
        )

    def withdraw(self, now: datetime) -> None:
        self._ensure_live()
        self.withdrawn_at = now
        self.events.append(events.ResourceWithdrawn(self.id, self.member_unit_code, now))


def _check_quantity(value: int, field: str, allow_zero: bool = False) -> None:
    low = 0 if allow_zero else 1
    require(
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= 10**12,
        field,
        f"{field} must be a whole number from {low}",
    )


def _check_until(start: datetime, until: datetime | None) -> None:
    if until is not None:
        require_aware(until, "available_until")
        require(until > start, "available_until", "available_until must be after available_from")


@dataclass(frozen=True)
class StaleList:
    """A reminder: this unit's list wants its half-yearly refresh."""

    member_unit_code: str
    # The oldest refresh among its live offers; None when it has filed nothing.
    last_refreshed_at: datetime | None
    stale_offer_ids: tuple[UUID, ...]


def stale_lists(
    member_unit_codes: Iterable[str], offers: Iterable[ResourceOffer], now: datetime
) -> list[StaleList]:
    """The units whose list is stale at `now`, in the order given (see the module's rule)."""
    by_unit: dict[str, list[ResourceOffer]] = {}
    for offer in offers:
        if offer.live:
            by_unit.setdefault(offer.member_unit_code, []).append(offer)
    stale: list[StaleList] = []
    for unit in dict.fromkeys(member_unit_codes):
        live = by_unit.get(unit, [])
        if not live:
            stale.append(StaleList(unit, None, ()))
            continue
        old = [o for o in live if now - o.refreshed_at >= STALE_AFTER]
        if old:
            oldest = min(o.refreshed_at for o in old)
            stale.append(StaleList(unit, oldest, tuple(o.id for o in old)))
    return stale


def emergency_offers(
    offers: Iterable[ResourceOffer], community_codes: Iterable[str], now: datetime
) -> list[ResourceOffer]:
    """In wartime, what member units marked for emergencies and can give now, vehicles first:
    they are what a coordinator asks for first (people to move, generators to carry)."""
    communities = set(community_codes)
    order = {kind: i for i, kind in enumerate(EMERGENCY_ORDER)}
    found = [
        o
        for o in offers
        if o.emergency_available and o.community_code in communities and o.available_at(now)
    ]
    return sorted(found, key=lambda o: (order[o.kind], o.member_unit_code, -o.quantity_left))


EMERGENCY_ORDER = (
    ResourceKind.VEHICLE,
    ResourceKind.PEOPLE,
    ResourceKind.GOODS,
    ResourceKind.VENUE,
    ResourceKind.EXPERTISE,
    ResourceKind.FUNDS,
)
