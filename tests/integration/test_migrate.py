#!/usr/bin/env python3
"""Migrations: applied once under concurrency, recorded with checksums,
regions seeded from data/divisions.tsv, edits of applied files refused.

Runs `extractd --migrate` when the built extractd has it, else
tests/integration/store_driver (the same store_migrate())."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (PG, divisions_tsv, driver, eq,  # noqa: E402
                     migrate, migrate_cmd, migrations_dir, run_tests)


def expected_migrations():
    return sorted(f for f in os.listdir(migrations_dir())
                  if f.endswith(".sql") and f[0].isdigit())


def divisions_rows():
    with open(divisions_tsv(), encoding="utf-8") as f:
        return sum(1 for line in f.read().splitlines()[1:] if line)


def run_concurrently(cmds):
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for c in cmds]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, "rc %d: %s%s" % (p.returncode, out, err)
    return [err for _, err in outs]


def test_concurrent_migrations_apply_once(pg):
    db = pg.new_db("mig")
    errs = run_concurrently([migrate_cmd(pg.dsn(db=db))] * 2)
    files = expected_migrations()
    rows = pg.psql("SELECT version, name, length(checksum) FROM"
                   " schema_migrations ORDER BY version", db=db)
    eq([r[1] for r in rows], files, "each migration recorded once")
    eq({r[2] for r in rows}, {"64"}, "sha256 checksums")
    applied = sum(e.count("migrate.applied") for e in errs)
    eq(applied, len(files), "applied once in total by the two")
    eq(pg.scalar("SELECT count(*) FROM regions", db=db),
       str(divisions_rows()), "regions seeded from divisions.tsv")
    eq(pg.psql("SELECT name, level, parent_code, province_code FROM regions"
               " WHERE code IN ('450000', '522700') ORDER BY code", db=db),
       [("广西壮族自治区", "province", None, "450000"),
        ("黔南布依族苗族自治州", "prefecture", "520000", "520000")])
    # Again: nothing to do, nothing changes.
    before = pg.psql("SELECT version, applied_at FROM schema_migrations",
                     db=db)
    err = migrate(pg, db)
    assert "migrate.applied" not in err, err
    eq(pg.psql("SELECT version, applied_at FROM schema_migrations", db=db),
       before)


def test_two_databases_at_once(_pg):
    # Roles are cluster-wide and advisory locks per database: creating the
    # roles from two databases of a fresh cluster at once must not fail.
    with PG() as pg:
        eq(pg.scalar("SELECT count(*) FROM pg_roles"
                     " WHERE rolname LIKE 'eastwest_%'"), "0")
        dbs = [pg.new_db("migpair") for _ in range(4)]
        run_concurrently([migrate_cmd(pg.dsn(db=d)) for d in dbs])
        for d in dbs:
            eq(pg.scalar("SELECT count(*) FROM schema_migrations", db=d),
               str(len(expected_migrations())))
        eq(pg.scalar("SELECT count(*) FROM pg_roles WHERE rolname IN"
                     " ('eastwest_writer', 'eastwest_reader')"
                     " AND NOT rolcanlogin"), "2", "NOLOGIN group roles")


def test_edited_migration_is_refused(pg):
    db = pg.new_db("migedit")
    tmp = tempfile.mkdtemp(prefix="migedit.")
    try:
        for f in expected_migrations():
            shutil.copy(os.path.join(migrations_dir(), f), tmp)
        cmd = migrate_cmd(pg.dsn(db=db), migrations=tmp)
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        last = os.path.join(tmp, expected_migrations()[-1])
        with open(last, "a", encoding="utf-8") as f:
            f.write("\n-- edited after it was applied\n")
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert p.returncode != 0, "an edited migration was accepted"
        assert "migrate.checksum_mismatch" in p.stderr, p.stderr
        # A new migration is applied, in order, in its own transaction;
        # a failing one leaves no trace.
        with open(last, "w", encoding="utf-8") as f:
            with open(os.path.join(migrations_dir(),
                                   os.path.basename(last)),
                      encoding="utf-8") as orig:
                f.write(orig.read())
        with open(os.path.join(tmp, "900_broken.sql"), "w",
                  encoding="utf-8") as f:
            f.write("CREATE TABLE probe (x int);\nSELECT 1/0;\n")
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert p.returncode != 0, "a failing migration succeeded"
        eq(pg.scalar("SELECT to_regclass('probe') IS NULL", db=db), "t",
           "rolled back")
        eq(pg.scalar("SELECT count(*) FROM schema_migrations"
                     " WHERE version = 900", db=db), "0")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_later_migrations_on_a_filled_database(pg):
    """Each migration after 004 applies to a database that the schema
    before it filled: its rows stay and read through the views."""
    db = pg.new_db("migfill")
    tmp = tempfile.mkdtemp(prefix="migfill.")
    try:
        for f in expected_migrations():
            if int(f.split("_")[0]) <= 4:
                shutil.copy(os.path.join(migrations_dir(), f), tmp)
        subprocess.run(migrate_cmd(pg.dsn(db=db), migrations=tmp),
                       check=True, capture_output=True, timeout=120)
        sha = "ab" * 32
        pg.psql("INSERT INTO articles (sha256, raw, text, published,"
                " extractor_version, data_hash)"
                " VALUES ('%s', convert_to('粤桂协作\n广东投入5元。', 'UTF8'),"
                " '广东投入5亿元。', '2020-01-21', 1, 'h');"
                "INSERT INTO pairings (sha256, ord, helper, helper_code,"
                " recipient, recipient_code, relation, start_offset,"
                " end_offset) VALUES ('%s', 0, '广东省', '440000',"
                " '广西壮族自治区', '450000', 'east_west', 0, 2);"
                "INSERT INTO figures (sha256, ord, text, value, unit,"
                " approx, category, year, start_offset, end_offset,"
                " region_codes, pairing_ord) VALUES ('%s', 0, '5亿元',"
                " 500000000, '元', false, 'fiscal_aid', NULL, 4, 8,"
                " '{440000}', 0)" % (sha, sha, sha), db=db)
        err = migrate(pg, db)
        assert "migrate.applied" in err, err
        eq(pg.scalar("SELECT count(*) FROM schema_migrations", db=db),
           str(len(expected_migrations())))
        eq(pg.psql("SELECT helper, value, year FROM aid_money", db=db),
           [("广东省", "500000000", None)],
           "old rows read, a figure without a year stays without one")
        eq(pg.psql("SELECT year, published FROM figures_by_region",
                   db=db), [(None, "2020-01-21")])
        eq(pg.scalar("SELECT count(*) FROM aid_flows", db=db), "0",
           "no flows until re-extracted")
        eq(pg.scalar("SELECT count(*) FROM aid_money_totals", db=db), "0")
        # Marked stale: re-extraction writes its flows.
        eq(pg.scalar("SELECT data_hash FROM articles", db=db),
           "pre-flows:h")
        p = driver(pg, db, "reextract", 10, synth=1, version=1, hash="h")
        assert "reextracted 1" in p.stdout, p.stdout
        eq(pg.psql("SELECT value, data_hash FROM aid_flows"
                   " JOIN articles USING (sha256)", db=db), [("5", "h")])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run_tests(globals())
