"""The test databases on the session's PostgreSQL server (see `lianxin.testing.plugin`).

Each service's migrations run once per session, into a template database of their own
(`Templates`); a test module's database that needs a service's schema is then copied from it
(`CREATE DATABASE ... TEMPLATE`, a file copy that takes a fraction of Alembic's time), and
between two tests of a module whose schema the first left untouched, its tables are only
truncated.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def _plain(url: str) -> str:
    return url.replace("+asyncpg", "").replace("+psycopg2", "")


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _admin(server_url: str, *statements: str) -> None:
    admin = await asyncpg.connect(_plain(_with_database(server_url, "postgres")))
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


@dataclass(frozen=True)
class Template:
    name: str
    # Its schema (see `_fingerprint`); None when its migrations seed rows, which a truncation
    # between two tests would undo: such a database is copied afresh for every test.
    fingerprint: str | None


class Templates:
    """Per service, a database migrated to head once per session; dropped at its end."""

    def __init__(self, server_url: str) -> None:
        self._server_url = server_url
        self._made: dict[str, Template] = {}

    async def get(self, service: str) -> Template:
        if service not in self._made:
            from lianxin.persistence.migrations import upgrade

            name = f"t{uuid.uuid4().hex[:12]}_{service}_template"
            await _admin(self._server_url, f'CREATE DATABASE "{name}"')
            url = _with_database(self._server_url, name)
            await asyncio.to_thread(upgrade, service, url)
            conn = await asyncpg.connect(_plain(url))
            try:
                seeded = await _tables_with_rows(conn)
                fingerprint = None if seeded else await _fingerprint(conn)
            finally:
                await conn.close()
            self._made[service] = Template(name, fingerprint)
        return self._made[service]

    async def copy(self, service: str, name: str) -> None:
        """A new database `name` holding the service's schema at head, copied from its template
        (the end-to-end platform's databases: no Alembic run when a module already made it)."""
        template = await self.get(service)
        await _admin(self._server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"')

    async def drop(self) -> None:
        for template in self._made.values():
            drop = f'DROP DATABASE IF EXISTS "{template.name}" WITH (FORCE)'
            await _admin(self._server_url, drop)
        self._made.clear()


class ModuleDatabase:
    """A test module's database, and what is known of what the last test left in it."""

    def __init__(self, server_url: str, name: str, templates: Templates) -> None:
        self.name = name
        self.url = _with_database(server_url, name)
        self._server_url = server_url
        self._templates = templates
        self._empty = False
        self._schema: str | None = None  # the fingerprint of the template it was copied from

    async def create(self) -> None:
        await _admin(self._server_url, f'CREATE DATABASE "{self.name}"')
        self._empty = True

    async def drop(self) -> None:
        await _admin(self._server_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def used(self) -> None:
        """A test ran on it: it may have changed anything."""
        self._empty = False

    async def empty(self) -> str:
        """Drop every schema (tables, types, sequences with them); leave an empty `public`."""
        if not self._empty:
            conn = await asyncpg.connect(_plain(self.url))
            try:
                schemas = await conn.fetch(
                    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
                    " AND nspname <> 'information_schema'"
                )
                for row in schemas:
                    await conn.execute(f'DROP SCHEMA "{row["nspname"]}" CASCADE')
                await conn.execute("CREATE SCHEMA public")
            finally:
                await conn.close()
            self._empty = True
            self._schema = None
        return self.url

    async def migrated(self, service: str) -> str:
        """The service's schema at head, without a row (but those its migrations seed): when
        the database holds exactly what the service's migrations build (same revision, tables
        and columns), its tables are truncated; otherwise it is copied from the template."""
        template = await self._templates.get(service)
        if template.fingerprint is not None and self._schema == template.fingerprint:
            conn = await asyncpg.connect(_plain(self.url))
            try:
                if await _fingerprint(conn) == template.fingerprint:
                    await _truncate(conn)
                    self._empty = False
                    return self.url
            finally:
                await conn.close()
        # FORCE: a connection the previous test left open (a pool not disposed) is closed.
        await _admin(
            self._server_url,
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
            f'CREATE DATABASE "{self.name}" TEMPLATE "{template.name}"',
        )
        self._empty = False
        self._schema = template.fingerprint
        return self.url


async def _fingerprint(conn: asyncpg.Connection) -> str:
    """The migration revision and every column of every table, in one string."""
    return await conn.fetchval(
        "SELECT coalesce(("
        "  SELECT string_agg(version_num, ',') FROM alembic_version), '') || '|' ||"
        " coalesce(string_agg(c.table_schema || '.' || c.table_name || '.' || c.column_name"
        "   || ':' || c.data_type || ':' || c.is_nullable || ':' || coalesce(c.column_default, ''),"
        "   ',' ORDER BY c.table_schema, c.table_name, c.ordinal_position), '')"
        " FROM information_schema.columns c"
        " WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')"
    )


async def _data_tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        " AND tablename <> 'alembic_version'"
    )
    return [r["name"] for r in rows]


async def _tables_with_rows(conn: asyncpg.Connection) -> list[str]:
    return [t for t in await _data_tables(conn) if await conn.fetchval(f"SELECT count(*) FROM {t}")]


async def _truncate(conn: asyncpg.Connection) -> None:
    """Every row gone and every sequence back at its start. By DELETE with the session as a
    replica (no foreign-key checks, no triggers: volunteers' append-only ledger refuses a DELETE
    otherwise), which for a test's few rows is several times cheaper than TRUNCATE (new files
    for every table and index); TRUNCATE when the server's user may not do that."""
    tables = await _data_tables(conn)
    if not tables:
        return
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                await conn.execute(f"DELETE FROM {table}")
            for row in await conn.fetch(
                "SELECT format('%I.%I', schemaname, sequencename) AS name FROM pg_sequences"
                " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            ):
                await conn.execute(f"ALTER SEQUENCE {row['name']} RESTART")
    except asyncpg.InsufficientPrivilegeError:
        await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
