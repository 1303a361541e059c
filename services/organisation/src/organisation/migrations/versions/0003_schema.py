"""The organisation schema, squashed from the pre-release revisions 0001–0003: places and grid,
departments, the alliance model, people and their posts, accounts and signing keys; outbox, inbox,
dead letters. Later changes are new revisions on top of this one."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from lianxin.persistence.migrations import (
    create_coded_table,
    create_messaging_tables,
    drop_messaging_tables,
    lifecycle_columns,
)

revision = "0003"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
    create_coded_table(
        "districts",
        sa.Column("city", sa.Text(), nullable=False),
    )
    create_coded_table(
        "streets",
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["district_code"], ["districts.code"]),
    )
    op.create_index(op.f("ix_streets_district_code"), "streets", ["district_code"])
    create_coded_table(
        "communities",
        sa.Column("street_code", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["district_code"], ["districts.code"]),
        sa.ForeignKeyConstraint(["street_code"], ["streets.code"]),
    )
    op.create_index(op.f("ix_communities_street_code"), "communities", ["street_code"])
    create_coded_table(
        "grid_nodes",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.Column("path", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("households", sa.Integer(), server_default="0", nullable=False),
        sa.Column("residents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("merchants", sa.Integer(), server_default="0", nullable=False),
        sa.Column("grid_type", sa.Text(), nullable=True),
        sa.Column("addresses", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["community_code"], ["communities.code"]),
        sa.ForeignKeyConstraint(["parent_code"], ["grid_nodes.code"]),
    )
    op.create_index(op.f("ix_grid_nodes_community_code"), "grid_nodes", ["community_code"])
    op.create_index("grid_nodes_path", "grid_nodes", ["path"], postgresql_using="gin")
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
            server_default=sa.text('\'[{"kind": "nats"}]\'::jsonb'),
            nullable=False,
        ),
        sa.Column("sla", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    create_coded_table(
        "alliances",
        sa.Column("community_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("branch_unit_codes", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("mechanisms", sa.ARRAY(sa.Text()), nullable=False),
    )
    op.create_table(
        "big_committees",
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("secretary", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("deputy", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "members",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "chair_terms",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        *lifecycle_columns(),
        sa.ForeignKeyConstraint(["community_code"], ["communities.code"]),
        sa.PrimaryKeyConstraint("community_code"),
    )
    create_coded_table(
        "member_units",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column("agreement", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "liaisons",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["community_code"], ["communities.code"]),
    )
    op.create_index(op.f("ix_member_units_community_code"), "member_units", ["community_code"])
    op.create_table(
        "people",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("node_code", sa.Text(), nullable=True),
        sa.Column("party_member_kind", sa.Text(), nullable=True),
        sa.Column("employer_unit_code", sa.Text(), nullable=True),
        sa.Column("double_report", sa.Text(), nullable=True),
        *lifecycle_columns(),
        sa.ForeignKeyConstraint(["community_code"], ["communities.code"]),
        sa.ForeignKeyConstraint(["employer_unit_code"], ["member_units.code"]),
        sa.ForeignKeyConstraint(["node_code"], ["grid_nodes.code"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(op.f("ix_people_community_code"), "people", ["community_code"])
    op.create_index(op.f("ix_people_node_code"), "people", ["node_code"])
    op.create_table(
        "grid_roles",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("person_code", sa.Text(), nullable=False),
        sa.Column("node_code", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column(
            "since", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["node_code"], ["grid_nodes.code"]),
        sa.ForeignKeyConstraint(["person_code"], ["people.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "grid_roles_one_holder",
        "grid_roles",
        ["node_code", "role"],
        unique=True,
        postgresql_where=sa.text("until IS NULL"),
    )
    op.create_index(op.f("ix_grid_roles_person_code"), "grid_roles", ["person_code"])
    create_coded_table(
        "party_organisations",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("node_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("linked_households", sa.Integer(), nullable=True),
        sa.Column("leader_person_code", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["community_code"], ["communities.code"]),
        sa.ForeignKeyConstraint(["leader_person_code"], ["people.code"]),
    )
    op.create_index(
        op.f("ix_party_organisations_community_code"), "party_organisations", ["community_code"]
    )
    op.create_index(
        "party_organisations_nodes", "party_organisations", ["node_codes"], postgresql_using="gin"
    )
    op.create_table(
        "accounts",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("scope", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.Text(), nullable=False),
        sa.Column("private_pem", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("kid"),
    )


def downgrade() -> None:
    # Each table takes its indexes with it; referencing tables go before the ones they reference.
    op.drop_table("signing_keys")
    op.drop_table("accounts")
    op.drop_table("party_organisations")
    op.drop_table("grid_roles")
    op.drop_table("people")
    op.drop_table("member_units")
    op.drop_table("big_committees")
    op.drop_table("alliances")
    op.drop_table("departments")
    op.drop_table("grid_nodes")
    op.drop_table("communities")
    op.drop_table("streets")
    op.drop_table("districts")
    drop_messaging_tables()
