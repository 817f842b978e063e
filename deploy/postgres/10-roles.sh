#!/bin/sh
# Runs once, when the postgres container initialises an empty data
# directory (docker-entrypoint-initdb.d). Creates the login users of the
# compose setup and puts them in the groups that migrations/002_roles.sql
# grants privileges to. The migration creates the groups too if missing and
# tolerates that they exist.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
	-v writer_pw="${EXTRACTD_DB_PASSWORD:?}" \
	-v reader_pw="${ANALYST_DB_PASSWORD:?}" <<'SQL'
CREATE ROLE eastwest_writer NOLOGIN;
CREATE ROLE eastwest_reader NOLOGIN;
CREATE ROLE extractd LOGIN PASSWORD :'writer_pw' IN ROLE eastwest_writer;
CREATE ROLE analyst LOGIN PASSWORD :'reader_pw' IN ROLE eastwest_reader;
SQL
