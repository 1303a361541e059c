"""The resources database: one table per aggregate (its queried columns beside its state), the
project claims and the emergency offers made for incidents in their own tables, and the
messaging tables.

Race-proofing: every command loads its aggregate `FOR UPDATE`, so two claims of one wish or of a
project's last slot run one after the other and the second sees the first's claim (Conflict).
`project_claims`' primary key also stops one unit holding two slots of a project whatever the
code does; `emergency_offers`' key records an offer once per incident however often the
escalation arrives.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from lianxin.idempotency import idempotency_table
from lianxin.persistence.tables import messaging_tables

metadata = MetaData()


def aggregate_table(name: str, *queried: Column) -> Table:
    """An aggregate's table: its id, its community (every read is scoped by it), the columns that
    queries filter or sort on, and the whole aggregate as `state`."""
    return Table(
        name,
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("community_code", Text, nullable=False, index=True),
        *queried,
        Column("state", JSONB, nullable=False),
    )


needs = aggregate_table(
    "needs",
    Column("grid_node_code", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # One need per incident: recording it twice is a Conflict, not a second line on the list.
    Column("source_incident_id", UUID(as_uuid=True), unique=True),
)

offers = aggregate_table(
    "offers",
    Column("member_unit_code", Text, nullable=False, index=True),
    Column("emergency_available", Boolean, nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
)

meetings = aggregate_table(
    "meetings",
    Column("status", Text, nullable=False),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
)

# A project's claims live in project_claims, never in its state.
projects = aggregate_table(
    "projects",
    Column("status", Text, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
)

project_claims = Table(
    "project_claims",
    metadata,
    Column("project_id", UUID(as_uuid=True), ForeignKey("projects.id"), nullable=False),
    Column("member_unit_code", Text, nullable=False, index=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("project_id", "member_unit_code"),
)

wishes = aggregate_table(
    "wishes",
    Column("grid_node_code", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("claimant_kind", Text),
    Column("claimant_id", Text, index=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    # Personal: in columns of their own (never in the state) so they can be anonymised.
    Column("resident_name", Text, nullable=False),
    Column("resident_contact", Text, nullable=False),
)

emergency_offers = Table(
    "emergency_offers",
    metadata,
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("offer_id", UUID(as_uuid=True), ForeignKey("offers.id"), nullable=False),
    Column("community_code", Text, nullable=False, index=True),
    Column("offered_at", DateTime(timezone=True), nullable=False),
    Column("used", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("incident_id", "offer_id"),
)

deliberations = aggregate_table(
    "deliberations",
    Column("status", Text, nullable=False),
    Column("held_at", DateTime(timezone=True), nullable=False),
)

# Which deliberations an incident went through (talked about there, or raised by an agreed item):
# the incident's page reads it by incident id.
deliberation_incidents = Table(
    "deliberation_incidents",
    metadata,
    Column("deliberation_id", UUID(as_uuid=True), ForeignKey("deliberations.id"), nullable=False),
    Column("incident_id", UUID(as_uuid=True), nullable=False, index=True),
    PrimaryKeyConstraint("deliberation_id", "incident_id"),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
idempotency_keys = idempotency_table(metadata)
