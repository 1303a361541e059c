"""The resources database."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import UUID

from lianxin.persistence.tables import messaging_tables

metadata = MetaData()

needs = Table(
    "needs",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("community_code", Text, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("source_incident_id", UUID(as_uuid=True), unique=True),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
