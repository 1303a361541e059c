"""The organisation database's tables."""

from __future__ import annotations

from sqlalchemy import ARRAY, Column, ForeignKey, Integer, MetaData, Table, Text

from lianxin.persistence.tables import messaging_tables

metadata = MetaData()

communities = Table(
    "communities",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("street", Text, nullable=False),
)

grid_nodes = Table(
    "grid_nodes",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("community_code", Text, ForeignKey("communities.code"), nullable=False, index=True),
    Column("parent_code", Text, ForeignKey("grid_nodes.code")),
    Column("path", ARRAY(Text), nullable=False),
    Column("households", Integer, nullable=False, server_default="0"),
)

departments = Table(
    "departments",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("categories", ARRAY(Text), nullable=False),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
