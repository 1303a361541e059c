"""The incidents database: incidents, assignments, timeline, and read models from ORG."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import UUID

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

# Read models, kept from the ORG stream alone.
departments = Table(
    "departments",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("categories", ARRAY(Text), nullable=False),
)

grid_nodes = Table(
    "grid_nodes",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("community_code", Text, nullable=False),
    Column("path", ARRAY(Text), nullable=False),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
