"""The incidents database: incidents, assignments, timeline, and read models from ORG."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID  # this ARRAY has && (overlap)

from lianxin.idempotency import idempotency_table
from lianxin.persistence.tables import coded_table, messaging_tables

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
    Column("affected_merchants", Integer, nullable=False, server_default="0"),
    Column("photos", ARRAY(Text), nullable=False, server_default="{}"),
    Column("reporter", Text, nullable=False, server_default=""),
    Column("reporter_kind", Text),
    Column("reporter_contact", Text, nullable=False, server_default=""),
    Column("contact_consent", Boolean, nullable=False, server_default="false"),
    Column("resolved_locally", Boolean, nullable=False, server_default="false"),
    Column("local_result", Text, nullable=False, server_default=""),
    Column("resolved_at", DateTime(timezone=True)),
    Column("verified_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("status_reason", Text, nullable=False, server_default=""),
    Column("shared_with", ARRAY(Text), nullable=False, server_default="{}"),
    Column("merged_into", UUID(as_uuid=True)),
    Column("merged_ids", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    # [{rating, comment, actor, at}], oldest first: the last one is the resident's word.
    Column("feedback", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # The readable ticket number (工单号), e.g. TPJ-20261129-0007 (incidents.domain.tickets).
    Column("ticket_no", Text, nullable=False, server_default="", index=True),
    # Where in the micro-grid (domain.location): building and unit names, a map pin.
    Column("building", Text, nullable=False, server_default=""),
    Column("unit", Text, nullable=False, server_default=""),
    Column("latitude", Float),
    Column("longitude", Float),
)

# An incident's photos, the bytes in the row (bytea, TOASTed out of line): kept in the same
# database and transaction as the incident, backed up with it, and gone with it; at 8 MB at most
# a photo, large objects' streaming is not needed (see domain.photos, adapters.photo_store).
incident_photos = Table(
    "incident_photos",
    metadata,
    # Always asked for as one incident's: its key leads with the incident (and lists them).
    Column("incident_id", UUID(as_uuid=True), ForeignKey("incidents.id"), primary_key=True),
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    # The re-encoded copy without the camera's metadata, and its thumbnail, both JPEG: the
    # upload itself (with its GPS position) is never stored.
    Column("image", LargeBinary, nullable=False),
    Column("thumbnail", LargeBinary, nullable=False),
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
    # The service level promised at dispatch, in seconds; null for rows from before deadlines.
    Column("acknowledge_within", Integer),
    Column("resolve_within", Integer),
    Column("acknowledge_by", DateTime(timezone=True)),
    Column("resolve_by", DateTime(timezone=True), index=True),
    Column("started_at", DateTime(timezone=True)),
    Column("returned_at", DateTime(timezone=True)),
    Column("return_reason", Text, nullable=False, server_default=""),
    Column("rerouted_to", UUID(as_uuid=True)),
    # [{kind, due_at, rung, at}]: the ladder steps each deadline's breach has taken.
    Column("breaches", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # [{requested_at, reason, resolve_by, previous_resolve_by, status, decided_by, decided_at,
    # note}]: the department's requests for more time, oldest first.
    Column("extensions", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
)

# The residents' rating links used so far (the links themselves are signed, not stored): the
# SHA-256 of each token, so that a second use is refused as such.
rating_link_uses = Table(
    "rating_link_uses",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("used_at", DateTime(timezone=True), nullable=False),
    Column("rating", Text, nullable=False),
)

# Durable deadlines: one row per rung of each open deadline, claimed with SKIP LOCKED by any
# replica. A row is only a wake-up call (see incidents.domain.deadlines): firing it late or twice
# does no harm, so it is deleted once fired.
timers = Table(
    "timers",
    metadata,
    Column("assignment_id", UUID(as_uuid=True), primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("due_at", DateTime(timezone=True), primary_key=True),
    Column("rung", Integer, primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Index("timers_due", "due_at"),
)

# An alliance's routing rules and service levels (the 12345 defaults where it set none).
routing_rules = Table(
    "routing_rules",
    metadata,
    Column("alliance_code", Text, primary_key=True),
    Column("category", Text, primary_key=True),
    Column("area", Text, primary_key=True),
    Column("department_codes", ARRAY(Text), nullable=False),
)

service_levels = Table(
    "service_levels",
    metadata,
    Column("alliance_code", Text, primary_key=True),
    Column("urgency", Text, primary_key=True),
    Column("acknowledge_within", Integer, nullable=False),
    Column("resolve_within", Integer, nullable=False),
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


# What residents' deliberations settled themselves (resources.deliberation.item_turned with the
# outcome resolved_locally): one row per agreed item, counted in its community's rates as a local
# resolution (domain.rates). Codes and a time only: the item's words stay in resources.
deliberated_resolutions = Table(
    "deliberated_resolutions",
    metadata,
    Column("deliberation_id", UUID(as_uuid=True), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("community_code", Text, nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=False, index=True),
)

# Read models, kept from the ORG stream alone: each row is the latest `version` of its aggregate
# that incidents has seen, so a replay of the stream from the start rebuilds them. Each holds the
# fields of its ORG event that incidents reads (not organisation's whole table: no foreign keys).
communities = coded_table(
    "communities",
    metadata,
    # To match the areas departments serve: a community, its street, its district.
    Column("street_code", Text, nullable=False),
    Column("district_code", Text, nullable=False),
)

departments = coded_table(
    "departments",
    metadata,
    Column("categories", ARRAY(Text), nullable=False),
    Column("name_en", Text, nullable=False, server_default=""),
    Column("areas", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("channels", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # Acknowledge minutes and resolve hours by urgency, as the department declared them.
    Column("sla", JSONB),
)

alliances = coded_table(
    "alliances",
    metadata,
    Column("community_codes", ARRAY(Text), nullable=False),
)

grid_nodes = coded_table(
    "grid_nodes",
    metadata,
    Column("kind", Text, nullable=False),
    Column("community_code", Text, nullable=False, index=True),
    Column("parent_code", Text),
    Column("path", ARRAY(Text), nullable=False),
    # The node's own households (not its subtree's): the cap on an incident's affected count.
    Column("households", Integer, nullable=False, server_default="0"),
    # Address keys the node serves ("朝华新城1栋"): a micro-grid's buildings where the tree has
    # no building nodes (domain.location).
    Column("addresses", ARRAY(Text), nullable=False, server_default="{}"),
)

outbox, inbox, dead_letters = messaging_tables(metadata)
idempotency_keys = idempotency_table(metadata)
