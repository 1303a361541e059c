"""The incidents database: incidents, assignments, timeline, and read models from ORG."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID  # this ARRAY has && (overlap)

from lianxin.persistence.tables import messaging_tables

metadata = MetaData()

incidents = Table(
    "incidents",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("community_code", Text, nullable=False, index=True),
    Column("micro_grid_code", Text, nullable=False),
    Column("grid_path", ARRAY(Text), nullable=False),
    Column("category", Text, nullable=False),
    Column("urgency", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("affected_households", Integer, nullable=False),
    Column("status", Text, nullable=False, index=True),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    # The W3C traceparent of the report: every later step of the loop continues this trace.
    Column("traceparent", Text),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column(
        "incident_id", UUID(as_uuid=True), ForeignKey("incidents.id"), nullable=False, index=True
    ),
    Column("department_code", Text, nullable=False, index=True),
    Column("lead", Boolean, nullable=False),
    Column("status", Text, nullable=False),
    Column("dispatched_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("result", Text, nullable=False, server_default=""),
)

timeline = Table(
    "timeline",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "incident_id", UUID(as_uuid=True), ForeignKey("incidents.id"), nullable=False, index=True
    ),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Column("trace_id", Text),
)


# Read models, kept from the ORG stream alone: each row is the latest `version` of its aggregate
# that incidents has seen, so a replay of the stream from the start rebuilds them.
def _lifecycle() -> list[Column]:
    return [
        Column("version", Integer, nullable=False, server_default="1"),
        Column("retired_at", DateTime(timezone=True)),
    ]


communities = Table(
    "communities",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    # To match the areas departments serve: a community, its street, its district.
    Column("street_code", Text, nullable=False),
    Column("district_code", Text, nullable=False),
    *_lifecycle(),
)

departments = Table(
    "departments",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("categories", ARRAY(Text), nullable=False),
    Column("name_en", Text, nullable=False, server_default=""),
    Column("areas", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("channels", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # Acknowledge minutes and resolve hours by urgency, as the department declared them.
    Column("sla", JSONB),
    *_lifecycle(),
)

grid_nodes = Table(
    "grid_nodes",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("community_code", Text, nullable=False, index=True),
    Column("parent_code", Text),
    Column("path", ARRAY(Text), nullable=False),
    *_lifecycle(),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
