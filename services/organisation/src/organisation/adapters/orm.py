"""The organisation database's tables.

Every aggregate's row carries `version` (one more on each change, as in its events) and
`retired_at`: nothing history refers to is ever deleted. Most aggregates are known by a code and a
name: `coded_table` writes those four columns around their own. Lists of codes are arrays; value
objects (agreements, liaisons, officers, chair terms, areas, channels, targets) are JSONB.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from lianxin.idempotency import idempotency_table
from lianxin.persistence.tables import coded_table, lifecycle_columns, messaging_tables

metadata = MetaData()


districts = coded_table(
    "districts",
    metadata,
    Column("city", Text, nullable=False),
)

streets = coded_table(
    "streets",
    metadata,
    Column("district_code", Text, ForeignKey("districts.code"), nullable=False, index=True),
)

communities = coded_table(
    "communities",
    metadata,
    Column("street_code", Text, ForeignKey("streets.code"), nullable=False, index=True),
    Column("district_code", Text, ForeignKey("districts.code"), nullable=False),
    Column("area_km2", Float),
)

alliances = coded_table(
    "alliances",
    metadata,
    Column("community_codes", ARRAY(Text), nullable=False),
    Column("branch_unit_codes", ARRAY(Text), nullable=False, server_default="{}"),
    Column("mechanisms", ARRAY(Text), nullable=False),
)

member_units = coded_table(
    "member_units",
    metadata,
    Column("kind", Text, nullable=False),
    Column("community_code", Text, ForeignKey("communities.code"), nullable=False, index=True),
    Column("relation", Text, nullable=False),
    Column("agreement", JSONB),
    # Personal: liaisons' names and phones.
    Column("liaisons", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
)

big_committees = Table(
    "big_committees",
    metadata,
    Column("community_code", Text, ForeignKey("communities.code"), primary_key=True),
    # Personal: officers' and members' names.
    Column("secretary", JSONB),
    Column("deputy", JSONB),
    Column("members", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("chair_terms", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    *lifecycle_columns(),
)

departments = coded_table(
    "departments",
    metadata,
    Column("categories", ARRAY(Text), nullable=False),
    Column("name_en", Text, nullable=False, server_default=""),
    Column("areas", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column(
        "channels", JSONB, nullable=False, server_default=text("""'[{"kind": "nats"}]'::jsonb""")
    ),
    # NULL: the default targets (acknowledge in 30 min; resolve in 2/24/168/360 h by urgency).
    Column("sla", JSONB),
)

grid_nodes = coded_table(
    "grid_nodes",
    metadata,
    Column("kind", Text, nullable=False),
    Column("community_code", Text, ForeignKey("communities.code"), nullable=False, index=True),
    Column("parent_code", Text, ForeignKey("grid_nodes.code")),
    Column("path", ARRAY(Text), nullable=False),
    # The node's own counts; subtree totals are computed.
    Column("households", Integer, nullable=False, server_default="0"),
    Column("residents", Integer, nullable=False, server_default="0"),
    Column("merchants", Integer, nullable=False, server_default="0"),
    Column("grid_type", Text),
    Column("addresses", ARRAY(Text), nullable=False, server_default="{}"),
    # "Which nodes are under X": path @> ARRAY[X].
    Index("grid_nodes_path", "path", postgresql_using="gin"),
)

people = Table(
    "people",
    metadata,
    Column("code", Text, primary_key=True),
    Column("community_code", Text, ForeignKey("communities.code"), nullable=False, index=True),
    # Personal: name and phone. The phone is never put in an event.
    Column("name", Text, nullable=False),
    Column("phone", Text),
    Column("node_code", Text, ForeignKey("grid_nodes.code"), index=True),
    Column("party_member_kind", Text),
    Column("employer_unit_code", Text, ForeignKey("member_units.code")),
    Column("double_report", Text),
    *lifecycle_columns(),
)

# Who holds which post of the grid, and since when; a vacated post keeps its row with `until`.
grid_roles = Table(
    "grid_roles",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("person_code", Text, ForeignKey("people.code"), nullable=False, index=True),
    Column("node_code", Text, ForeignKey("grid_nodes.code"), nullable=False),
    Column("role", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("until", DateTime(timezone=True)),
    # One holder per post at a time.
    Index(
        "grid_roles_one_holder",
        "node_code",
        "role",
        unique=True,
        postgresql_where=text("until IS NULL"),
    ),
)

party_organisations = coded_table(
    "party_organisations",
    metadata,
    Column("kind", Text, nullable=False),
    Column("community_code", Text, ForeignKey("communities.code"), nullable=False, index=True),
    Column("node_codes", ARRAY(Text), nullable=False),
    Column("linked_households", Integer),
    Column("leader_person_code", Text, ForeignKey("people.code")),
    Index("party_organisations_nodes", "node_codes", postgresql_using="gin"),
)

# The care register (domain/care.py): personal data that never leaves this service in an event.
care_entries = Table(
    "care_entries",
    metadata,
    Column("code", Text, primary_key=True),
    Column("community_code", Text, ForeignKey("communities.code"), nullable=False, index=True),
    Column("grid_code", Text, nullable=False, index=True),
    Column("node_code", Text, ForeignKey("grid_nodes.code"), nullable=False),
    Column("node_path", ARRAY(Text), nullable=False),
    Column("name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("care_groups", ARRAY(Text), nullable=False),
    Column("carers", JSONB, nullable=False),
    Column("consent", JSONB, nullable=False),
    Column("plans", JSONB, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("phone", Text),
    Column("address", Text, nullable=False),
    Column("health_notes", Text, nullable=False),
)

care_visits = Table(
    "care_visits",
    metadata,
    Column("id", Text, primary_key=True),
    Column("entry_code", Text, ForeignKey("care_entries.code"), nullable=False, index=True),
    Column("community_code", Text, nullable=False),
    Column("grid_code", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("needs_follow_up", Boolean, nullable=False),
    Column("need_id", Text),
    Column("minutes", Integer),
)

# Every read or export of an entry: who, when, which entry, why.
care_access_log = Table(
    "care_access_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("entry_code", Text, ForeignKey("care_entries.code"), nullable=False, index=True),
    Column("reader", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
idempotency_keys = idempotency_table(metadata)
