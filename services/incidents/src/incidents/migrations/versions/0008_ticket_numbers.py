"""Ticket numbers (工单号): a column on incidents, the counters per community and day, and
numbers for the incidents already there, in the order they were reported."""

import sqlalchemy as sa
from alembic import op

from incidents.domain.tickets import prefix

revision = "0008"
down_revision = "0007"

# The day in China's time, as incidents.domain.tickets counts it.
DAY = "(reported_at AT TIME ZONE 'Asia/Shanghai')::date"


def upgrade() -> None:
    op.add_column("incidents", sa.Column("ticket_no", sa.Text(), nullable=False, server_default=""))
    op.create_index(op.f("ix_incidents_ticket_no"), "incidents", ["ticket_no"])
    op.create_table(
        "ticket_counters",
        sa.Column("community_code", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_code", "day"),
    )
    connection = op.get_bind()
    codes = connection.execute(sa.text("SELECT DISTINCT community_code FROM incidents")).scalars()
    for code in list(codes):
        connection.execute(
            sa.text(
                f"""UPDATE incidents SET ticket_no = :prefix || '-' || to_char(n.day, 'YYYYMMDD')
                    || '-' || lpad(n.count::text, 4, '0')
                FROM (SELECT id, {DAY} AS day,
                        row_number() OVER (PARTITION BY {DAY} ORDER BY reported_at, id) AS count
                      FROM incidents WHERE community_code = :code) AS n
                WHERE incidents.id = n.id"""
            ),
            {"prefix": prefix(code), "code": code},
        )
    op.execute(
        f"""INSERT INTO ticket_counters (community_code, day, last)
        SELECT community_code, {DAY}, count(*) FROM incidents GROUP BY community_code, {DAY}"""
    )


def downgrade() -> None:
    op.drop_table("ticket_counters")
    op.drop_index(op.f("ix_incidents_ticket_no"), table_name="incidents")
    op.drop_column("incidents", "ticket_no")
