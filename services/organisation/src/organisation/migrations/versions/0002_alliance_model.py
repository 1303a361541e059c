"""The alliance model: districts, streets, alliances, member units, big committees, people and
their posts, party organisations; a version and retirement on every aggregate

Communities registered before streets existed named their street in free text: each such name
becomes a street of its own (code `legacy-<hash>`) under a placeholder district `unassigned`, so
no community is lost; rename or re-home them through the API.."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "alliances",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("community_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("branch_unit_codes", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("mechanisms", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "districts",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "streets",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("district_code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["districts.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(op.f("ix_streets_district_code"), "streets", ["district_code"], unique=False)
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
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["communities.code"],
        ),
        sa.PrimaryKeyConstraint("community_code"),
    )
    op.create_table(
        "member_units",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
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
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["communities.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(
        op.f("ix_member_units_community_code"), "member_units", ["community_code"], unique=False
    )
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
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["communities.code"],
        ),
        sa.ForeignKeyConstraint(
            ["employer_unit_code"],
            ["member_units.code"],
        ),
        sa.ForeignKeyConstraint(
            ["node_code"],
            ["grid_nodes.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(op.f("ix_people_community_code"), "people", ["community_code"], unique=False)
    op.create_index(op.f("ix_people_node_code"), "people", ["node_code"], unique=False)
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
        sa.ForeignKeyConstraint(
            ["node_code"],
            ["grid_nodes.code"],
        ),
        sa.ForeignKeyConstraint(
            ["person_code"],
            ["people.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "grid_roles_one_holder",
        "grid_roles",
        ["node_code", "role"],
        unique=True,
        postgresql_where=sa.text("until IS NULL"),
    )
    op.create_index(op.f("ix_grid_roles_person_code"), "grid_roles", ["person_code"], unique=False)
    op.create_table(
        "party_organisations",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("node_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("linked_households", sa.Integer(), nullable=True),
        sa.Column("leader_person_code", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_code"],
            ["communities.code"],
        ),
        sa.ForeignKeyConstraint(
            ["leader_person_code"],
            ["people.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(
        op.f("ix_party_organisations_community_code"),
        "party_organisations",
        ["community_code"],
        unique=False,
    )
    op.create_index(
        "party_organisations_nodes",
        "party_organisations",
        ["node_codes"],
        unique=False,
        postgresql_using="gin",
    )
    op.add_column("communities", sa.Column("street_code", sa.Text(), nullable=True))
    op.add_column("communities", sa.Column("district_code", sa.Text(), nullable=True))
    op.add_column("communities", sa.Column("area_km2", sa.Float(), nullable=True))
    op.add_column(
        "communities", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("communities", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "INSERT INTO districts (code, name, city)"
        " SELECT 'unassigned', '未指定区', '未指定' WHERE EXISTS (SELECT 1 FROM communities)"
    )
    op.execute(
        "INSERT INTO streets (code, name, district_code)"
        " SELECT DISTINCT 'legacy-' || substr(md5(street), 1, 8), street, 'unassigned'"
        " FROM communities"
    )
    op.execute(
        "UPDATE communities SET street_code = 'legacy-' || substr(md5(street), 1, 8),"
        " district_code = 'unassigned'"
    )
    op.alter_column("communities", "street_code", nullable=False)
    op.alter_column("communities", "district_code", nullable=False)
    op.create_index(
        op.f("ix_communities_street_code"), "communities", ["street_code"], unique=False
    )
    op.create_foreign_key(
        "communities_district_code_fkey", "communities", "districts", ["district_code"], ["code"]
    )
    op.create_foreign_key(
        "communities_street_code_fkey", "communities", "streets", ["street_code"], ["code"]
    )
    op.drop_column("communities", "street")
    op.add_column("departments", sa.Column("name_en", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "departments",
        sa.Column(
            "areas",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "departments",
        sa.Column(
            "channels",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text('\'[{"kind": "nats"}]\'::jsonb'),
            nullable=False,
        ),
    )
    op.add_column(
        "departments", sa.Column("sla", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "departments", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("departments", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "grid_nodes", sa.Column("residents", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "grid_nodes", sa.Column("merchants", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("grid_nodes", sa.Column("grid_type", sa.Text(), nullable=True))
    op.add_column(
        "grid_nodes",
        sa.Column("addresses", sa.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.add_column(
        "grid_nodes", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("grid_nodes", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("grid_nodes_path", "grid_nodes", ["path"], unique=False, postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("grid_nodes_path", table_name="grid_nodes", postgresql_using="gin")
    op.drop_column("grid_nodes", "retired_at")
    op.drop_column("grid_nodes", "version")
    op.drop_column("grid_nodes", "addresses")
    op.drop_column("grid_nodes", "grid_type")
    op.drop_column("grid_nodes", "merchants")
    op.drop_column("grid_nodes", "residents")
    op.drop_column("departments", "retired_at")
    op.drop_column("departments", "version")
    op.drop_column("departments", "sla")
    op.drop_column("departments", "channels")
    op.drop_column("departments", "areas")
    op.drop_column("departments", "name_en")
    op.add_column("communities", sa.Column("street", sa.TEXT(), autoincrement=False, nullable=True))
    op.execute(
        "UPDATE communities SET street = streets.name FROM streets"
        " WHERE streets.code = communities.street_code"
    )
    op.alter_column("communities", "street", nullable=False)
    op.drop_constraint("communities_street_code_fkey", "communities", type_="foreignkey")
    op.drop_constraint("communities_district_code_fkey", "communities", type_="foreignkey")
    op.drop_index(op.f("ix_communities_street_code"), table_name="communities")
    op.drop_column("communities", "retired_at")
    op.drop_column("communities", "version")
    op.drop_column("communities", "area_km2")
    op.drop_column("communities", "district_code")
    op.drop_column("communities", "street_code")
    op.drop_index(
        "party_organisations_nodes", table_name="party_organisations", postgresql_using="gin"
    )
    op.drop_index(op.f("ix_party_organisations_community_code"), table_name="party_organisations")
    op.drop_table("party_organisations")
    op.drop_index(op.f("ix_grid_roles_person_code"), table_name="grid_roles")
    op.drop_index(
        "grid_roles_one_holder", table_name="grid_roles", postgresql_where=sa.text("until IS NULL")
    )
    op.drop_table("grid_roles")
    op.drop_index(op.f("ix_people_node_code"), table_name="people")
    op.drop_index(op.f("ix_people_community_code"), table_name="people")
    op.drop_table("people")
    op.drop_index(op.f("ix_member_units_community_code"), table_name="member_units")
    op.drop_table("member_units")
    op.drop_table("big_committees")
    op.drop_index(op.f("ix_streets_district_code"), table_name="streets")
    op.drop_table("streets")
    op.drop_table("districts")
    op.drop_table("alliances")
