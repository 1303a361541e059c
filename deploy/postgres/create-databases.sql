-- One database per service (DESIGN.md: a service never reads another service's database).
--
-- The postgres image runs this once, when it initialises an empty data directory
-- (docker-compose.yml mounts it into /docker-entrypoint-initdb.d/). `lianxin migrate` creates any
-- that are still missing as well, so this script is a convenience, not a requirement; names
-- follow lianxin.runtime.platform.database_url: lianxin_<service>. The console has none.
--
-- psql's \gexec runs each generated statement: CREATE DATABASE cannot run inside a DO block, and
-- the NOT EXISTS guard keeps the script safe to run again by hand.

SELECT format('CREATE DATABASE %I', name)
FROM unnest(ARRAY[
    'lianxin_organisation',
    'lianxin_incidents',
    'lianxin_resources',
    'lianxin_volunteers'
]) AS name
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name)
\gexec
