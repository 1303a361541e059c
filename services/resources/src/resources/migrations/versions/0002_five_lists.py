"""The five lists, joint meetings, projects and their claims, micro-wishes, emergency offers.

`needs` changes shape: a need now carries its whole state. The needs the old consumer opened for
every escalation are kept, as open needs from their incidents with what the old row knew (the
title, its "[category]" prefix, the time), so a coordinator can take them to a meeting or decline
them with a reason; nothing a community saw disappears.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from lianxin.persistence.migrations import create_community_table

revision = "0002"
down_revision = "0001"

LEGACY_STATE = """
jsonb_build_object(
    '_type', 'Need', 'id', id::text, 'community_code', community_code, 'grid_node_code', '',
    'category', coalesce(substring(title from '^\\[([^]]+)\\]'), 'escalation'),
    'title', title, 'description', '', 'affected', 'residents of the escalated incident',
    'affected_count', 1, 'urgency', 'normal', 'source', 'incident',
    'source_incident_id', source_incident_id::text, 'recorded_by', 'escalation',
    'recorded_at', to_jsonb(recorded_at), 'needed_at', null, 'skills', '[]'::jsonb,
    'origin_ref', '', 'status', 'open', 'matched_offer_ids', '[]'::jsonb, 'project_id', null,
    'outcome', '', 'closed_at', null)
"""


def upgrade() -> None:
    op.alter_column("needs", "opened_at", new_column_name="recorded_at")
    op.add_column("needs", sa.Column("grid_node_code", sa.Text(), nullable=True))
    op.add_column("needs", sa.Column("state", postgresql.JSONB(), nullable=True))
    op.execute(f"UPDATE needs SET grid_node_code = '', status = 'open', state = {LEGACY_STATE}")
    op.alter_column("needs", "grid_node_code", nullable=False)
    op.alter_column("needs", "state", nullable=False)
    op.drop_column("needs", "title")

    create_community_table(
        "offers",
        sa.Column("member_unit_code", sa.Text(), nullable=False),
        sa.Column("emergency_available", sa.Boolean(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", postgresql.JSONB(), nullable=False),
    )
    op.create_index(op.f("ix_offers_member_unit_code"), "offers", ["member_unit_code"])
    create_community_table(
        "meetings",
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", postgresql.JSONB(), nullable=False),
    )
    create_community_table(
        "projects",
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", postgresql.JSONB(), nullable=False),
    )
    op.create_table(
        "project_claims",
        sa.Column("project_id", sa.UUID(), nullable=False),
        sa.Column("member_unit_code", sa.Text(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("project_id", "member_unit_code"),
    )
    op.create_index(
        op.f("ix_project_claims_member_unit_code"), "project_claims", ["member_unit_code"]
    )
    create_community_table(
        "wishes",
        sa.Column("grid_node_code", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("claimant_kind", sa.Text(), nullable=True),
        sa.Column("claimant_id", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resident_name", sa.Text(), nullable=False),
        sa.Column("resident_contact", sa.Text(), nullable=False),
        sa.Column("state", postgresql.JSONB(), nullable=False),
    )
    op.create_index(op.f("ix_wishes_claimant_id"), "wishes", ["claimant_id"])
    op.create_table(
        "emergency_offers",
        sa.Column("incident_id", sa.UUID(), nullable=False),
        sa.Column("offer_id", sa.UUID(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"]),
        sa.PrimaryKeyConstraint("incident_id", "offer_id"),
    )
    op.create_index(
        op.f("ix_emergency_offers_community_code"), "emergency_offers", ["community_code"]
    )


def downgrade() -> None:
    for table in ("emergency_offers", "wishes", "project_claims", "projects", "meetings"):
        op.drop_table(table)
    op.drop_table("offers")
    op.add_column("needs", sa.Column("title", sa.Text(), nullable=True))
    op.execute("UPDATE needs SET title = state ->> 'title'")
    op.alter_column("needs", "title", nullable=False)
    op.drop_column("needs", "state")
    op.drop_column("needs", "grid_node_code")
    op.alter_column("needs", "recorded_at", new_column_name="opened_at")
