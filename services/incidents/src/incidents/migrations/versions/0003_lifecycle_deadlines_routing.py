"""Lifecycle deadlines routing."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "alliances",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("community_codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "routing_rules",
        sa.Column("alliance_code", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("department_codes", postgresql.ARRAY(sa.Text()), nullable=False),
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
        "timers",
        sa.Column("assignment_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rung", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.UUID(), nullable=False),
        sa.PrimaryKeyConstraint("assignment_id", "kind", "due_at", "rung"),
    )
    op.create_index("timers_due", "timers", ["due_at"], unique=False)
    op.add_column("assignments", sa.Column("acknowledge_within", sa.Integer(), nullable=True))
    op.add_column("assignments", sa.Column("resolve_within", sa.Integer(), nullable=True))
    op.add_column(
        "assignments", sa.Column("acknowledge_by", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("assignments", sa.Column("resolve_by", sa.DateTime(timezone=True), nullable=True))
    op.add_column("assignments", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "assignments", sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "assignments", sa.Column("return_reason", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("assignments", sa.Column("rerouted_to", sa.UUID(), nullable=True))
    op.add_column(
        "assignments",
        sa.Column(
            "breaches",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.create_index(op.f("ix_assignments_resolve_by"), "assignments", ["resolve_by"], unique=False)
    op.add_column(
        "incidents",
        sa.Column("affected_merchants", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "incidents",
        sa.Column("photos", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column("incidents", sa.Column("reporter", sa.Text(), server_default="", nullable=False))
    op.add_column("incidents", sa.Column("reporter_kind", sa.Text(), nullable=True))
    op.add_column(
        "incidents", sa.Column("reporter_contact", sa.Text(), server_default="", nullable=False)
    )
    op.add_column(
        "incidents",
        sa.Column("contact_consent", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column(
        "incidents",
        sa.Column("resolved_locally", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column(
        "incidents", sa.Column("local_result", sa.Text(), server_default="", nullable=False)
    )
    op.add_column("incidents", sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("incidents", sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("incidents", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "incidents", sa.Column("status_reason", sa.Text(), server_default="", nullable=False)
    )
    op.add_column(
        "incidents",
        sa.Column("shared_with", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column("incidents", sa.Column("merged_into", sa.UUID(), nullable=True))
    op.add_column(
        "incidents",
        sa.Column("merged_ids", postgresql.ARRAY(sa.UUID()), server_default="{}", nullable=False),
    )
    op.add_column(
        "incidents",
        sa.Column(
            "feedback",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("incidents", "feedback")
    op.drop_column("incidents", "merged_ids")
    op.drop_column("incidents", "merged_into")
    op.drop_column("incidents", "shared_with")
    op.drop_column("incidents", "status_reason")
    op.drop_column("incidents", "closed_at")
    op.drop_column("incidents", "verified_at")
    op.drop_column("incidents", "resolved_at")
    op.drop_column("incidents", "local_result")
    op.drop_column("incidents", "resolved_locally")
    op.drop_column("incidents", "contact_consent")
    op.drop_column("incidents", "reporter_contact")
    op.drop_column("incidents", "reporter_kind")
    op.drop_column("incidents", "reporter")
    op.drop_column("incidents", "photos")
    op.drop_column("incidents", "affected_merchants")
    op.drop_index(op.f("ix_assignments_resolve_by"), table_name="assignments")
    op.drop_column("assignments", "breaches")
    op.drop_column("assignments", "rerouted_to")
    op.drop_column("assignments", "return_reason")
    op.drop_column("assignments", "returned_at")
    op.drop_column("assignments", "started_at")
    op.drop_column("assignments", "resolve_by")
    op.drop_column("assignments", "acknowledge_by")
    op.drop_column("assignments", "resolve_within")
    op.drop_column("assignments", "acknowledge_within")
    op.drop_index("timers_due", table_name="timers")
    op.drop_table("timers")
    op.drop_table("service_levels")
    op.drop_table("routing_rules")
    op.drop_table("alliances")
