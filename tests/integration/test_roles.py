#!/usr/bin/env python3
"""Least privilege: eastwest_reader reads tables and views and writes
nothing; eastwest_writer is enough for store.c and can neither drop nor
create objects nor read other schemas."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import driver, eq, migrate, run_tests, statuses  # noqa: E402

VIEWS = ["aid_flows", "aid_money", "aid_money_totals", "figures_by_region",
         "figure_totals", "pairing_network"]
TABLES = ["articles", "figures", "pairings", "flows", "regions",
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
                "DROP VIEW aid_money"]:
        e = pg.psql_error(sql, db=db, user="analyst")
        assert e.sqlstate in ("42501",), (sql, e)


def test_writer_cannot_drop_create_or_read_elsewhere(pg):
    db = setup(pg)
    pg.psql("CREATE SCHEMA other; CREATE TABLE other.secret (x int);"
            " INSERT INTO other.secret VALUES (42)", db=db)
    cases = ["SELECT * FROM other.secret",
             "DROP TABLE figures",
             "DROP VIEW aid_money",
             "TRUNCATE articles",
             "ALTER TABLE articles ADD COLUMN x int",
             "CREATE TABLE public.worker_table (x int)",
             "CREATE SCHEMA worker_schema",
             "INSERT INTO regions (code, name, level)"
             " VALUES ('999999', 'x', 'county')",
             "DELETE FROM schema_migrations"]
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


if __name__ == "__main__":
    run_tests(globals())
