"""The volunteers database."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import UUID

from lianxin.persistence.tables import messaging_tables

metadata = MetaData()

mobilisations = Table(
    "mobilisations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("community_code", Text, nullable=False, index=True),
    Column("grid_code", Text, nullable=False),
    Column("incident_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("status", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
