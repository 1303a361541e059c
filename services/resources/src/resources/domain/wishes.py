"""Micro-wishes (微心愿): 居民点单 → 网格派单 → 成员单位接单 → 完成销单.

    recorded ──publish──▶ published ──claim──▶ claimed ──deliver──▶ delivered ──close──▶ closed
    delivered ──return_delivery(reason)──▶ claimed       the resident says it did not arrive
    recorded|published|claimed ──withdraw(reason)──▶ withdrawn                      (final)

A grid records the resident's wish (点单, the resident's name and contact kept here and nowhere
else: events and `public_view()` leave them out) and publishes it to the wish board (派单). A
member unit or a party member claims it (接单), once: there is only ever one claimant, and a
second claim is refused naming who has it. The claimant delivers it with a note or a photo
reference; the grid closes it (销单) after confirming with the resident, which is when it counts
as fulfilled and `WishFulfilled` lets volunteers credit the party member who did it.

Aging: a wish nobody has claimed is raised once it has waited `RAISE_AFTER` (7 days): counted
from publication, or from recording while the grid has not published it yet.

Fulfilment rate for a community and a period [start, end): of the wishes recorded in the period
(withdrawn ones too, so that withdrawing cannot polish the rate), the share closed before `end`,
in per cent to one decimal, half up. Taipingjie: 139 of 163 → 85.3 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID, uuid4

from lianxin.errors import Conflict, require
from resources.domain import events
from resources.domain.common import Aggregate, choice, require_aware, require_text

RAISE_AFTER = timedelta(days=7)


class WishStatus(StrEnum):
    RECORDED = "recorded"
    PUBLISHED = "published"
    CLAIMED = "claimed"
    DELIVERED = "delivered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


UNCLAIMED = frozenset({WishStatus.RECORDED, WishStatus.PUBLISHED})
FINAL = frozenset({WishStatus.CLOSED, WishStatus.WITHDRAWN})


class ClaimantKind(StrEnum):
    MEMBER_UNIT = "member_unit"
    PARTY_MEMBER = "party_member"


@dataclass(frozen=True)
class Claimant:
    kind: ClaimantKind
    id: str

    @classmethod
    def of(cls, kind: str, claimant_id: str) -> Claimant:
        return cls(
            choice(ClaimantKind, kind, "claimant_kind"),
            require_text(claimant_id, "claimant_id", 64),
        )

    def __str__(self) -> str:
        return f"{self.kind.value} {self.id}"


@dataclass(frozen=True)
class PublicWish:
    """What the wish board shows: the wish and its grid, never the resident."""

    id: UUID
    community_code: str
    grid_node_code: str
    title: str
    description: str
    status: str
    published_at: datetime | None
    claimant_kind: str | None
    claimant_id: str | None


@dataclass(kw_only=True)
class MicroWish(Aggregate):
    id: UUID
    community_code: str
    grid_node_code: str
    title: str
    description: str
    recorded_by: str
    recorded_at: datetime
    # The grid that recorded it: the grid nodes its leader serves (the wish's node is one of
    # them or below one); empty when a coordinator recorded it. Its leader reads the resident.
    recorded_in: tuple[str, ...] = ()
    # Private: for the grid to confirm delivery with the resident.
    resident_name: str = field(default="", repr=False)
    resident_contact: str = field(default="", repr=False)
    status: WishStatus = WishStatus.RECORDED
    published_at: datetime | None = None
    claimant: Claimant | None = None
    claimed_at: datetime | None = None
    delivered_at: datetime | None = None
    delivery_note: str = ""
    photo_ref: str | None = None
    closed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdraw_reason: str = ""

    @classmethod
    def record(
        cls,
        *,
        community_code: str,
        grid_node_code: str,
        title: str,
        resident_name: str,
        resident_contact: str,
        recorded_by: str,
        now: datetime,
        description: str = "",
        recorded_in: Iterable[str] = (),
        wish_id: UUID | None = None,
    ) -> MicroWish:
        """点单: the grid writes down what the resident asked for."""
        wish = cls(
            id=wish_id or uuid4(),
            community_code=require_text(community_code, "community_code", 64),
            grid_node_code=require_text(grid_node_code, "grid_node_code", 64),
            title=require_text(title, "title", 200),
            description=description.strip()[:2000],
            recorded_by=require_text(recorded_by, "recorded_by", 64),
            recorded_at=require_aware(now, "now"),
            recorded_in=tuple(sorted(recorded_in)),
            resident_name=require_text(resident_name, "resident_name", 64),
            resident_contact=require_text(resident_contact, "resident_contact", 64),
        )
        wish.events.append(
            events.WishRecorded(wish.id, wish.community_code, wish.grid_node_code, wish.title, now)
        )
        return wish

    def _expect(self, allowed: Iterable[WishStatus], action: str) -> None:
        if self.status not in allowed:
            holder = f", claimed by {self.claimant}" if self.claimant else ""
            raise Conflict(f"wish {self.id} is {self.status.value}{holder}: it cannot be {action}")

    def publish(self, now: datetime) -> None:
        """派单: on the wish board, for member units and party members to claim."""
        self._expect({WishStatus.RECORDED}, "published")
        self.status = WishStatus.PUBLISHED
        self.published_at = now
        self.events.append(
            events.WishPublished(self.id, self.community_code, self.grid_node_code, self.title, now)
        )

    def claim(self, claimant: Claimant, now: datetime) -> None:
        """接单: once. A second claimant, or the same one twice, hears who has it."""
        if self.claimant is not None:
            raise Conflict(f"wish {self.id} is already claimed by {self.claimant}")
        self._expect({WishStatus.PUBLISHED}, "claimed")
        self.status = WishStatus.CLAIMED
        self.claimant = claimant
        self.claimed_at = now
        self.events.append(
            events.WishClaimed(self.id, self.community_code, claimant.kind.value, claimant.id, now)
        )

    def deliver(
        self, by: Claimant, now: datetime, note: str = "", photo_ref: str | None = None
    ) -> None:
        text = note.strip()
        photo = photo_ref.strip() if photo_ref else None
        require(text or photo, "note", "say what was delivered, or attach a photo")
        self._expect({WishStatus.CLAIMED}, "delivered")
        if by != self.claimant:
            raise Conflict(f"wish {self.id} is claimed by {self.claimant}, not {by}")
        self.status = WishStatus.DELIVERED
        self.delivered_at = now
        self.delivery_note = text
        self.photo_ref = photo
        self.events.append(
            events.WishDelivered(self.id, self.community_code, by.kind.value, by.id, photo, now)
        )

    def return_delivery(self, reason: str, now: datetime) -> None:
        text = require_text(reason, "reason")
        self._expect({WishStatus.DELIVERED}, "returned")
        claimant = self._holder()
        self.status = WishStatus.CLAIMED
        self.delivered_at = None
        self.delivery_note, self.photo_ref = "", None
        self.events.append(
            events.WishDeliveryReturned(
                self.id, self.community_code, claimant.kind.value, claimant.id, text, now
            )
        )

    def close(self, now: datetime) -> None:
        """销单: the grid confirmed with the resident; the wish is fulfilled."""
        self._expect({WishStatus.DELIVERED}, "closed")
        claimant = self._holder()
        self.status = WishStatus.CLOSED
        self.closed_at = now
        self.events.append(
            events.WishFulfilled(
                self.id, self.community_code, claimant.kind.value, claimant.id, now
            )
        )

    def withdraw(self, reason: str, now: datetime) -> None:
        """The resident no longer needs it (moved, solved otherwise). Never after delivery."""
        text = require_text(reason, "reason")
        self._expect(UNCLAIMED | {WishStatus.CLAIMED}, "withdrawn")
        self.status = WishStatus.WITHDRAWN
        self.withdrawn_at = now
        self.withdraw_reason = text
        self.events.append(events.WishWithdrawn(self.id, self.community_code, text, now))

    def _holder(self) -> Claimant:
        assert self.claimant is not None  # claimed and delivered wishes always have one
        return self.claimant

    @property
    def fulfilled(self) -> bool:
        return self.status is WishStatus.CLOSED

    def public_view(self) -> PublicWish:
        return PublicWish(
            self.id,
            self.community_code,
            self.grid_node_code,
            self.title,
            self.description,
            self.status.value,
            self.published_at,
            self.claimant.kind.value if self.claimant else None,
            self.claimant.id if self.claimant else None,
        )


ON_BOARD = (WishStatus.PUBLISHED, WishStatus.CLAIMED, WishStatus.DELIVERED)


def wish_board(wishes: Iterable[MicroWish], community_codes: Iterable[str]) -> list[PublicWish]:
    """The public board: wishes waiting for a claimant first (the longest waiting first), then
    those under way (the latest claimed first: a claimant finds the one just taken on the
    board's first page); never a resident's name or contact."""
    communities = set(community_codes)
    shown = [w for w in wishes if w.community_code in communities and w.status in ON_BOARD]
    waiting = sorted(
        (w for w in shown if w.status is WishStatus.PUBLISHED),
        key=lambda w: (w.published_at, str(w.id)),
    )
    under_way = sorted(
        (w for w in shown if w.status is not WishStatus.PUBLISHED),
        key=lambda w: (w.claimed_at, str(w.id)),
        reverse=True,
    )
    return [w.public_view() for w in waiting + under_way]


@dataclass(frozen=True)
class RaisedWish:
    wish_id: UUID
    community_code: str
    grid_node_code: str
    status: str
    waiting_since: datetime
    days_waiting: int


def raised_wishes(
    wishes: Iterable[MicroWish], now: datetime, after: timedelta = RAISE_AFTER
) -> list[RaisedWish]:
    """Unclaimed wishes that have waited `after` or longer at `now`, the longest first."""
    raised: list[RaisedWish] = []
    for w in wishes:
        if w.status not in UNCLAIMED:
            continue
        since = w.published_at or w.recorded_at
        if now - since >= after:
            raised.append(
                RaisedWish(
                    w.id,
                    w.community_code,
                    w.grid_node_code,
                    w.status.value,
                    since,
                    (now - since).days,
                )
            )
    return sorted(raised, key=lambda r: (r.waiting_since, str(r.wish_id)))


@dataclass(frozen=True)
class FulfilmentRate:
    community_code: str
    start: datetime
    end: datetime
    collected: int
    fulfilled: int

    @property
    def percent(self) -> Decimal | None:
        """Per cent to one decimal, half up; None when nothing was collected."""
        if self.collected == 0:
            return None
        exact = Decimal(100 * self.fulfilled) / Decimal(self.collected)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fulfilment_rate(
    wishes: Iterable[MicroWish], community_code: str, start: datetime, end: datetime
) -> FulfilmentRate:
    require(end > start, "end", "the period must end after it starts")
    cohort = [
        w for w in wishes if w.community_code == community_code and start <= w.recorded_at < end
    ]
    done = sum(1 for w in cohort if w.closed_at is not None and w.closed_at < end)
    return FulfilmentRate(community_code, start, end, len(cohort), done)
