"""The incidents schema, squashed from the pre-release revisions 0001–0004: org read models,
routing, incidents with their assignments, timeline and timers, webhook deliveries; outbox, inbox,
dead letters. Later changes are new revisions on top of this one."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from lianxin.persistence.migrations import (
    create_coded_table,
    create_messaging_tables,
    drop_messaging_tables,
)

revision = "0004"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
    create_coded_table(
        "communities",
        sa.Column("street_code", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
    )
    create_coded_table(
        "grid_nodes",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("path", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
    )
    op.create_index(op.f("ix_grid_nodes_community_code"), "grid_nodes", ["community_code"])
    create_coded_table(
        "departments",
        sa.Column("categories", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("name_en", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "areas",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "channels",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("sla", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    create_coded_table(
        "alliances",
        sa.Column("community_codes", sa.ARRAY(sa.Text()), nullable=False),
    )
    op.create_table(
        "routing_rules",
        sa.Column("alliance_code", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("department_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("alliance_code", "category", "area"),
    )
    op.create_table(
        "service_levels",
        sa.Column("alliance_code", sa.Text(), nullable=False),
        sa.Column("urgency", sa.Text(), nullable=False),
        sa.Column("acknowledge_within", sa.Integer(), nullable=False),
        sa.Column("resolve_within", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alliance_code", "urgency"),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("micro_grid_code", sa.Text(), nullable=False),
        sa.Column("grid_path", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("urgency", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("affected_households", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("traceparent", sa.Text(), nullable=True),
        sa.Column("affected_merchants", sa.Integer(), server_default="0", nullable=False),
        sa.Column("photos", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("reporter", sa.Text(), server_default="", nullable=False),
        sa.Column("reporter_kind", sa.Text(), nullable=True),
        sa.Column("reporter_contact", sa.Text(), server_default="", nullable=False),
        sa.Column("contact_consent", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("resolved_locally", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("local_result", sa.Text(), server_default="", nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("shared_with", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("merged_into", sa.UUID(), nullable=True),
        sa.Column("merged_ids", sa.ARRAY(sa.UUID()), server_default="{}", nullable=False),
        sa.Column(
            "feedback",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_incidents_community_code"), "incidents", ["community_code"])
    op.create_index(op.f("ix_incidents_status"), "incidents", ["status"])
    op.create_table(
        "assignments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("incident_id", sa.UUID(), nullable=False),
        sa.Column("department_code", sa.Text(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), server_default="", nullable=False),
        sa.Column("acknowledge_within", sa.Integer(), nullable=True),
        sa.Column("resolve_within", sa.Integer(), nullable=True),
        sa.Column("acknowledge_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolve_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("rerouted_to", sa.UUID(), nullable=True),
        sa.Column(
            "breaches",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_assignments_department_code"), "assignments", ["department_code"])
    op.create_index(op.f("ix_assignments_incident_id"), "assignments", ["incident_id"])
    op.create_index(op.f("ix_assignments_resolve_by"), "assignments", ["resolve_by"])
    op.create_table(
        "timeline",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("trace_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_timeline_incident_id"), "timeline", ["incident_id"])
    op.create_table(
        "timers",
        sa.Column("assignment_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rung", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.UUID(), nullable=False),
        sa.PrimaryKeyConstraint("assignment_id", "kind", "due_at", "rung"),
    )
    op.create_index("timers_due", "timers", ["due_at"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("department_code", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("assignment_id", sa.UUID(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("schedule_start", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "url", name="webhook_deliveries_event_url"),
    )
    op.create_index(
        "webhook_deliveries_department", "webhook_deliveries", ["department_code", "created_at"]
    )
    op.create_index(
        "webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("duration_ms", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["webhook_deliveries.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_webhook_attempts_delivery_id"), "webhook_attempts", ["delivery_id"])


def downgrade() -> None:
    # Each table takes its indexes with it; referencing tables go before the ones they reference.
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("timers")
    op.drop_table("timeline")
    op.drop_table("assignments")
    op.drop_table("incidents")
    op.drop_table("service_levels")
    op.drop_table("routing_rules")
    op.drop_table("alliances")
    op.drop_table("departments")
    op.drop_table("grid_nodes")
    op.drop_table("communities")
    drop_messaging_tables()
