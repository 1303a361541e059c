"""Tables every service keeps beside its own (the outbox, the inbox and the dead letters), the
columns every aggregate's row of organisation (and incidents' read models of them) ends with, and
the table of such an aggregate known by its code; and the inbox mark a handler's first read can
carry."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID, Insert, insert
from sqlalchemy.schema import SchemaItem
from sqlalchemy.sql.elements import Label
from sqlalchemy.sql.selectable import CTE


def lifecycle_columns() -> list[Column]:
    """`version`: one more on each change, as in the aggregate's events; `retired_at`: nothing
    history refers to is ever deleted. New `Column`s at each call (a column joins one table)."""
    return [
        Column("version", Integer, nullable=False, server_default="1"),
        Column("retired_at", DateTime(timezone=True)),
    ]


def coded_table(name: str, metadata: MetaData, *columns: SchemaItem) -> Table:
    """An aggregate known by its code: `code` (the primary key) and `name`, then `columns` (and
    any indexes or constraints among them), then `lifecycle_columns()`."""
    return Table(
        name,
        metadata,
        Column("code", Text, primary_key=True),
        Column("name", Text, nullable=False),
        *columns,
        *lifecycle_columns(),
    )


def messaging_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        Column("subject", Text, nullable=False),
        Column("event", JSONB, nullable=False),
        # The W3C trace headers of the request that caused the event: the publish continues it.
        Column("trace_headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("last_error", Text),
        Index("outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", Text, primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    dead_letters = Table(
        "dead_letters",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("stream", Text, nullable=False),
        Column("consumer", Text, nullable=False),
        Column("stream_seq", BigInteger, nullable=False),
        Column("subject", Text),
        Column("payload", Text),
        Column("headers", JSONB),
        Column("reason", Text, nullable=False),
        Column("deliveries", Integer),
        Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("replayed_at", DateTime(timezone=True)),
        UniqueConstraint("stream", "consumer", "stream_seq", name="dead_letters_once"),
    )
    return outbox, inbox, dead_letters


def inbox_mark(inbox: Table) -> tuple[CTE, Label[bool]]:
    """An event's inbox mark as a data-modifying CTE, to add to a handler's first read so that
    the mark and the read are one round trip, and the column saying whether the mark was new
    (`first_time`; False: a redelivery, already applied). Its parameters are `consumer` and
    `event_id`, as `UnitOfWork.first_time` takes them."""
    mark = inbox_insert(inbox).cte("mark")
    return mark, exists(select(mark.c.event_id)).label("first_time")


def inbox_insert(inbox: Table) -> Insert:
    """The inbox row of (`consumer`, `event_id`), its `event_id` returned only when it is new."""
    return (
        insert(inbox)
        .values(consumer=bindparam("consumer"), event_id=bindparam("event_id"))
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
