"""The outbox, inbox and dead letters: one definition for the code and every service's migrations.

The DDL is pinned here because every service's first revision builds these tables from
`lianxin.persistence.tables`: an edit there silently changes what a *fresh* database gets at its
first revision (incidents `0004`, organisation `0003`, the others `0001`) while existing ones keep
the old shape. If this test fails, you changed the tables: write a revision in every service that
takes existing databases to the new shape, then update the pin.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from lianxin.persistence.db import make_engine
from lianxin.persistence.migrations import alembic_config, declared_metadata
from lianxin.persistence.tables import messaging_tables

PINNED = """
CREATE TABLE outbox ( id BIGSERIAL NOT NULL, event_id UUID NOT NULL, subject TEXT NOT NULL,
event JSONB NOT NULL, trace_headers JSONB DEFAULT '{}'::jsonb NOT NULL,
created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, sent_at TIMESTAMP WITH TIME ZONE,
attempts INTEGER DEFAULT 0 NOT NULL, last_error TEXT, PRIMARY KEY (id), UNIQUE (event_id) );
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
CREATE TABLE inbox ( consumer TEXT NOT NULL, event_id TEXT NOT NULL,
received_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, PRIMARY KEY (consumer, event_id) );
CREATE TABLE dead_letters ( id BIGSERIAL NOT NULL, stream TEXT NOT NULL, consumer TEXT NOT NULL,
stream_seq BIGINT NOT NULL, subject TEXT, payload TEXT, headers JSONB, reason TEXT NOT NULL,
deliveries INTEGER, recorded_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
replayed_at TIMESTAMP WITH TIME ZONE, PRIMARY KEY (id),
CONSTRAINT dead_letters_once UNIQUE (stream, consumer, stream_seq) );
"""

SERVICES = ("incidents", "organisation", "resources", "volunteers")


def _words(ddl: str) -> str:
    return re.sub(r"\s+", " ", ddl).strip()


def test_the_messaging_tables_keep_the_shape_every_first_revision_was_written_for() -> None:
    dialect = postgresql.dialect()
    ddl = []
    for table in messaging_tables(MetaData()):
        ddl.append(f"{str(CreateTable(table).compile(dialect=dialect)).strip()};")
        ddl += [f"{CreateIndex(index).compile(dialect=dialect)};" for index in table.indexes]
    assert _words("\n".join(ddl)) == _words(PINNED)


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_migrates_to_what_its_code_declares_and_back_down(
    service: str, database: str
) -> None:
    metadata = declared_metadata(service)
    config = alembic_config(service, database)
    await asyncio.to_thread(command.upgrade, config, "head")
    engine = make_engine(database)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert diff == []

    await asyncio.to_thread(command.downgrade, config, "base")
    async with engine.connect() as conn:
        left = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    await engine.dispose()
    assert left == ["alembic_version"]
