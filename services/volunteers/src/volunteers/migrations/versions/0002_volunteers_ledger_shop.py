"""Volunteers, teams, activities and shifts; the points ledger and shop; the mobilisation's
squads and call-ups; transfers and entries append-only."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from lianxin.persistence.migrations import create_community_table

revision = "0002"
down_revision = "0001"


# Corrections are reversing transfers: a trigger refuses to change or delete what was written.
APPEND_ONLY = [
    """CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the points ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END $$""",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        for table in ("transfers", "entries")
    ),
]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("lifetime", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind <> 'passbook' OR balance >= 0", name="passbook_not_negative"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_accounts_community_code"), "accounts", ["community_code"], unique=False
    )
    create_community_table(
        "items",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("donor_kind", sa.Text(), nullable=False),
        sa.Column("donor", sa.Text(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
    )
    op.create_table(
        "points_rules",
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("per_hour", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("default_per_hour", sa.Integer(), nullable=False),
        sa.Column("night_multiplier", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("emergency_multiplier", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community_code"),
    )
    create_community_table(
        "teams",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
    )
    create_community_table(
        "volunteers",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("home_node_path", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("person_code", sa.Text(), nullable=True),
        sa.Column("party_member_kind", sa.Text(), nullable=True),
        sa.Column("employer_unit_code", sa.Text(), nullable=True),
        sa.Column("employer_branch_code", sa.Text(), nullable=True),
        sa.Column("consent_to_contact", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("person_code"),
    )
    create_community_table(
        "activities",
        sa.Column("node_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
        ),
    )
    op.create_table(
        "services_done",
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("volunteer_id", sa.UUID(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
        ),
        sa.PrimaryKeyConstraint("source_key"),
    )
    op.create_index(
        op.f("ix_services_done_volunteer_id"), "services_done", ["volunteer_id"], unique=False
    )
    op.create_table(
        "team_memberships",
        sa.Column("team_id", sa.UUID(), nullable=False),
        sa.Column("volunteer_id", sa.UUID(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
        ),
        sa.PrimaryKeyConstraint("team_id", "volunteer_id", "joined_at"),
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("from_account", sa.Text(), nullable=False),
        sa.Column("to_account", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reverses", sa.UUID(), nullable=True),
        sa.Column("lifetime_delta", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_account"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reverses"],
            ["transfers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_account"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reverses"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_index(op.f("ix_transfers_from_account"), "transfers", ["from_account"], unique=False)
    op.create_index(op.f("ix_transfers_to_account"), "transfers", ["to_account"], unique=False)
    op.create_table(
        "entries",
        sa.Column("transfer_id", sa.UUID(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
        ),
        sa.PrimaryKeyConstraint("transfer_id", "account_id"),
    )
    op.create_index("ix_entries_account_id", "entries", ["account_id"], unique=False)
    op.create_table(
        "redemptions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("item_id", sa.UUID(), nullable=False),
        sa.Column("volunteer_id", sa.UUID(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("transfer_id", sa.UUID(), nullable=False),
        sa.Column("handed_over_by", sa.Text(), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("refund_transfer_id", sa.UUID(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
        ),
        sa.ForeignKeyConstraint(
            ["refund_transfer_id"],
            ["transfers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("refund_transfer_id"),
        sa.UniqueConstraint("transfer_id"),
    )
    op.create_index(op.f("ix_redemptions_item_id"), "redemptions", ["item_id"], unique=False)
    op.create_index(
        op.f("ix_redemptions_volunteer_id"), "redemptions", ["volunteer_id"], unique=False
    )
    op.create_table(
        "shifts",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("activity_id", sa.UUID(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("node_code", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_shifts_activity_id"), "shifts", ["activity_id"], unique=False)
    op.create_table(
        "sign_ups",
        sa.Column("shift_id", sa.UUID(), nullable=False),
        sa.Column("volunteer_id", sa.UUID(), nullable=False),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["shifts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteers.id"],
        ),
        sa.PrimaryKeyConstraint("shift_id", "volunteer_id"),
    )
    op.create_index(op.f("ix_sign_ups_volunteer_id"), "sign_ups", ["volunteer_id"], unique=False)
    op.add_column(
        "mobilisations",
        sa.Column("node_path", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column(
        "mobilisations",
        sa.Column(
            "squads", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
    )
    op.add_column(
        "mobilisations",
        sa.Column(
            "call_ups", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
    )
    for statement in APPEND_ONLY:
        op.execute(statement)
    op.add_column(
        "mobilisations", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER entries_append_only ON entries")
    op.execute("DROP TRIGGER transfers_append_only ON transfers")
    op.execute("DROP FUNCTION ledger_append_only()")
    op.drop_column("mobilisations", "closed_at")
    op.drop_column("mobilisations", "call_ups")
    op.drop_column("mobilisations", "squads")
    op.drop_column("mobilisations", "node_path")
    op.drop_index(op.f("ix_sign_ups_volunteer_id"), table_name="sign_ups")
    op.drop_table("sign_ups")
    op.drop_index(op.f("ix_shifts_activity_id"), table_name="shifts")
    op.drop_table("shifts")
    op.drop_index(op.f("ix_redemptions_volunteer_id"), table_name="redemptions")
    op.drop_index(op.f("ix_redemptions_item_id"), table_name="redemptions")
    op.drop_table("redemptions")
    op.drop_index("ix_entries_account_id", table_name="entries")
    op.drop_table("entries")
    op.drop_index(op.f("ix_transfers_to_account"), table_name="transfers")
    op.drop_index(op.f("ix_transfers_from_account"), table_name="transfers")
    op.drop_table("transfers")
    op.drop_table("team_memberships")
    op.drop_index(op.f("ix_services_done_volunteer_id"), table_name="services_done")
    op.drop_table("services_done")
    op.drop_index(op.f("ix_activities_community_code"), table_name="activities")
    op.drop_table("activities")
    op.drop_index(op.f("ix_volunteers_community_code"), table_name="volunteers")
    op.drop_table("volunteers")
    op.drop_index(op.f("ix_teams_community_code"), table_name="teams")
    op.drop_table("teams")
    op.drop_table("points_rules")
    op.drop_index(op.f("ix_items_community_code"), table_name="items")
    op.drop_table("items")
    op.drop_index(op.f("ix_accounts_community_code"), table_name="accounts")
    op.drop_table("accounts")
