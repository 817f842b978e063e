#!/usr/bin/env python3
"""Least privilege: eastwest_reader reads tables and views and writes
nothing; eastwest_writer is enough for store.c and can neither drop nor
create objects nor read other schemas."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (driver, eq, ident, migrate, migrate_cmd,  # noqa: E402
                     run_tests, statuses)

VIEWS = ["aid_flows", "aid_money", "aid_money_totals", "figures_by_region",
         "figure_totals", "pairing_network"]
OLD_002 = ("a63bc00646ddc45a0213688caf4b046d990b86efb915"
           "ebe788a5096d75fd1801")
TABLES = ["articles", "figures", "pairings", "flows", "figure_sets",
          "pairing_rows", "flow_rows", "regions",
          "ingest_errors"]


def setup(pg):
    db = pg.new_db("roles")
    migrate(pg, db)
    pg.create_login("analyst", member_of=["eastwest_reader"])
    pg.create_login("worker", member_of=["eastwest_writer"])
    return db


def test_writer_is_enough_for_the_store(pg):
    db = setup(pg)
    d = tempfile.mkdtemp(prefix="roles.")
    path = os.path.join(d, "a.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("粤桂协作\n广东省投入5000元。\n")
    p = driver(pg, db, "put", path, synth=1, user="worker")
    eq(list(statuses(p).values()), ["stored"])
    p = driver(pg, db, "put", path, synth=1, version=99, user="worker")
    eq(list(statuses(p).values()), ["stored"], "replace as writer")
    p = driver(pg, db, "reject", path, "decode", "why", user="worker")
    p = driver(pg, db, "reextract", 10, synth=1, version=100, user="worker")
    assert "reextracted 1" in p.stdout, p.stdout
    eq(pg.scalar("SELECT count(*) FROM figures", db=db, user="analyst"),
       "1")
    eq(pg.scalar("SELECT count(*) FROM aid_flows", db=db, user="analyst"),
       "1", "the writer wrote the flow, the reader reads it")


def test_reader_reads_and_cannot_write(pg):
    db = setup(pg)
    for v in VIEWS + TABLES:
        pg.psql("SELECT count(*) FROM %s" % v, db=db, user="analyst")
    eq(pg.scalar("SELECT count(*) FROM regions", db=db, user="analyst"),
       pg.scalar("SELECT count(*) FROM regions", db=db))
    for sql in ["INSERT INTO regions (code, name, level)"
                " VALUES ('999999', 'x', 'county')",
                "UPDATE regions SET name = 'x'",
                "DELETE FROM articles",
                "INSERT INTO ingest_errors (sha256, stage, reason)"
                " VALUES ('x', 'x', 'x')",
                "CREATE TABLE analyst_scratch (x int)",
                "CREATE TEMP TABLE analyst_tmp (x int)",
                "DROP VIEW aid_money"]:
        e = pg.psql_error(sql, db=db, user="analyst")
        assert e.sqlstate in ("42501",), (sql, e)


def test_writer_cannot_drop_create_or_read_elsewhere(pg):
    db = setup(pg)
    pg.psql("CREATE SCHEMA other; CREATE TABLE other.secret (x int);"
            " INSERT INTO other.secret VALUES (42)", db=db)
    cases = ["SELECT * FROM other.secret",
             "DROP TABLE figure_sets",
             "DROP VIEW aid_money",
             "TRUNCATE articles",
             "ALTER TABLE articles ADD COLUMN x int",
             "CREATE TABLE public.worker_table (x int)",
             "CREATE SCHEMA worker_schema",
             "INSERT INTO regions (code, name, level)"
             " VALUES ('999999', 'x', 'county')",
             "DELETE FROM schema_migrations",
             "CREATE TEMP TABLE worker_tmp (x int)"]
    for sql in cases:
        e = pg.psql_error(sql, db=db, user="worker")
        assert e.sqlstate == "42501", (sql, e)
    # What it needs works.
    pg.psql("SELECT count(*) FROM articles; SELECT count(*) FROM regions;"
            " DELETE FROM ingest_errors WHERE false", db=db, user="worker")


def test_roles_are_nologin_groups(pg):
    setup(pg)
    eq(pg.psql("SELECT rolname, rolcanlogin, rolsuper, rolcreaterole,"
               " rolcreatedb FROM pg_roles WHERE rolname LIKE 'eastwest_%'"
               " ORDER BY 1"),
       [("eastwest_reader", "f", "f", "f", "f"),
        ("eastwest_writer", "f", "f", "f", "f")])


def test_owner_without_createrole_migrates(pg):
    """OPERATIONS.md section 3: an administrator creates the roles and a
    database owned by eastwest_owner (no CREATEROLE); the migration job
    runs as that owner."""
    setup(pg)  # the group roles exist in the cluster now
    pg.create_login("ew_owner_nocr")
    db = pg.new_db("owned")
    pg.psql("ALTER DATABASE %s OWNER TO ew_owner_nocr" % ident(db))
    pg.psql("ALTER SCHEMA public OWNER TO ew_owner_nocr", db=db)
    p = subprocess.run(migrate_cmd(pg.dsn(db=db, user="ew_owner_nocr")),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300, check=False)
    eq(p.returncode, 0, "migrate as an owner without CREATEROLE: %s"
       % p.stderr[-2000:])
    # run again: everything is applied, nothing refused, and a database
    # that applied 002_roles.sql before its COMMENTs were made tolerant
    # (the same effect) is not refused for it
    pg.psql("UPDATE schema_migrations SET checksum = '%s' WHERE version = 2"
            % OLD_002, db=db)
    p = subprocess.run(migrate_cmd(pg.dsn(db=db, user="ew_owner_nocr")),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300, check=False)
    eq(p.returncode, 0, "second run: %s" % p.stderr[-2000:])


if __name__ == "__main__":
    run_tests(globals())
