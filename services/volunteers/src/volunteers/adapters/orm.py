"""The volunteers database.

The ledger is relational and guarded by the database itself, since money-like data must stay
right even if a future code path forgets a check: a passbook's balance cannot go below zero
(CHECK), a source key is credited once (UNIQUE), a transfer is undone once (UNIQUE reverses),
and transfers and entries are append-only (a trigger, in the migration, refuses UPDATE/DELETE).
A shop item's stock cannot go below zero either.

The children that only ever travel with their aggregate (a mobilisation's squads and call-ups)
are JSONB on its row: the aggregate is loaded and locked whole, and nobody queries them apart.
Sign-ups and team memberships are rows: rosters, no-shows and history are queried on their own.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from lianxin.idempotency import idempotency_table
from lianxin.persistence.tables import messaging_tables

metadata = MetaData()


def _uuid(name: str, *args: object, **kw: object) -> Column:
    return Column(name, UUID(as_uuid=True), *args, **kw)  # type: ignore[arg-type]


def _at(name: str, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _community_table(name: str, *columns: Column) -> Table:
    """The table of an aggregate a community holds: its id, its community (every list is one
    community's, so indexed), then its own columns."""
    return Table(
        name,
        metadata,
        _uuid("id", primary_key=True),
        Column("community_code", Text, nullable=False, index=True),
        *columns,
    )


volunteers = _community_table(
    "volunteers",
    Column("name", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("home_node_path", ARRAY(Text), nullable=False),
    Column("skills", ARRAY(Text), nullable=False),
    Column("person_code", Text, unique=True),
    Column("party_member_kind", Text),
    Column("employer_unit_code", Text),
    Column("employer_branch_code", Text),
    Column("consent_to_contact", Boolean, nullable=False),
    _at("registered_at", nullable=True),
    # The organisation account (username) a VOLUNTEER token names: one profile per account.
    Column("account", Text, unique=True),
)

teams = _community_table(
    "teams",
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
)

# Joining and leaving kept as history: one row per period in the team.
team_memberships = Table(
    "team_memberships",
    metadata,
    _uuid("team_id", ForeignKey("teams.id"), primary_key=True),
    _uuid("volunteer_id", ForeignKey("volunteers.id"), primary_key=True),
    Column("joined_at", DateTime(timezone=True), primary_key=True),
    Column("role", Text, nullable=False),
    _at("left_at", nullable=True),
)

activities = _community_table(
    "activities",
    Column("node_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("title", Text, nullable=False),
    _uuid("team_id", ForeignKey("teams.id")),
    Column("emergency", Boolean, nullable=False),
)

shifts = Table(
    "shifts",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("activity_id", ForeignKey("activities.id"), nullable=False, index=True),
    Column("community_code", Text, nullable=False),
    Column("node_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    _at("starts_at"),
    _at("ends_at"),
    Column("place", Text, nullable=False),
    Column(
        "places", Integer, CheckConstraint("places >= 1", name="places_positive"), nullable=False
    ),
    _uuid("team_id", ForeignKey("teams.id")),
    Column("emergency", Boolean, nullable=False),
    Column("code", Text),
    _at("called_off_at", nullable=True),
    Column("called_off_reason", Text),
)

sign_ups = Table(
    "sign_ups",
    metadata,
    _uuid("shift_id", ForeignKey("shifts.id"), primary_key=True),
    _uuid("volunteer_id", ForeignKey("volunteers.id"), primary_key=True, index=True),
    _at("signed_up_at"),
    Column("status", Text, nullable=False),
    _at("checked_in_at", nullable=True),
    _at("checked_out_at", nullable=True),
)

points_rules = Table(
    "points_rules",
    metadata,
    Column("community_code", Text, primary_key=True),
    Column("per_hour", JSONB, nullable=False),
    Column("default_per_hour", Integer, nullable=False),
    Column("night_multiplier", Numeric(6, 2), nullable=False),
    Column("emergency_multiplier", Numeric(6, 2), nullable=False),
    Column("daily_cap", Integer, nullable=False),
    Column("updated_by", Text, nullable=False),
    _at("updated_at"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("community_code", Text, nullable=False, index=True),
    Column("owner", Text, nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("lifetime", BigInteger, nullable=False),
    # The last line of defence: the service checks under the row lock first.
    CheckConstraint("kind <> 'passbook' OR balance >= 0", name="passbook_not_negative"),
)

transfers = Table(
    "transfers",
    metadata,
    _uuid("id", primary_key=True),
    Column("kind", Text, nullable=False),
    Column("from_account", Text, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("to_account", Text, ForeignKey("accounts.id"), nullable=False, index=True),
    Column(
        "amount", BigInteger, CheckConstraint("amount > 0", name="amount_positive"), nullable=False
    ),
    Column("actor", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("source_key", Text, nullable=False, unique=True),
    _at("at"),
    _uuid("reverses", ForeignKey("transfers.id"), unique=True),
    Column("lifetime_delta", BigInteger, nullable=False),
)

entries = Table(
    "entries",
    metadata,
    _uuid("transfer_id", ForeignKey("transfers.id"), primary_key=True),
    Column("account_id", Text, ForeignKey("accounts.id"), primary_key=True),
    Column("amount", BigInteger, nullable=False),
    _at("at"),
    Index("ix_entries_account_id", "account_id"),
)

# What each credited service was (for service records and the employer's branch): written with
# its earn transfer, under the same source key.
services_done = Table(
    "services_done",
    metadata,
    Column("source_key", Text, primary_key=True),
    _uuid("volunteer_id", ForeignKey("volunteers.id"), nullable=False, index=True),
    _at("at"),
    Column("kind", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("community_code", Text, nullable=False),
    Column("hours", Numeric(8, 2)),
    Column("points", BigInteger, nullable=False),
)

items = _community_table(
    "items",
    Column("name", Text, nullable=False),
    Column("donor_kind", Text, nullable=False),
    Column("donor", Text, nullable=False),
    Column(
        "price", BigInteger, CheckConstraint("price > 0", name="price_positive"), nullable=False
    ),
    Column(
        "stock", Integer, CheckConstraint("stock >= 0", name="stock_not_negative"), nullable=False
    ),
    _at("retired_at", nullable=True),
)

redemptions = Table(
    "redemptions",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("item_id", ForeignKey("items.id"), nullable=False, index=True),
    _uuid("volunteer_id", ForeignKey("volunteers.id"), nullable=False, index=True),
    Column("price", BigInteger, nullable=False),
    _uuid("transfer_id", ForeignKey("transfers.id"), nullable=False, unique=True),
    Column("handed_over_by", Text, nullable=False),
    _at("redeemed_at"),
    Column("status", Text, nullable=False),
    _uuid("refund_transfer_id", ForeignKey("transfers.id"), unique=True),
    _at("cancelled_at", nullable=True),
)

mobilisations = _community_table(
    "mobilisations",
    Column("grid_code", Text, nullable=False),
    _uuid("incident_id", nullable=False, unique=True),
    Column("status", Text, nullable=False),
    _at("started_at"),
    Column("node_path", ARRAY(Text), nullable=False, server_default="{}"),
    Column("squads", JSONB, nullable=False, server_default="[]"),
    Column("call_ups", JSONB, nullable=False, server_default="[]"),
    _at("closed_at", nullable=True),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
idempotency_keys = idempotency_table(metadata)
