#!/usr/bin/env python3
"""Migration 007 (the lean form of figures, pairings and flows) converts a
database filled by the schema of migrations 001-006 in place: every view
and every query of README.md and docs/SCHEMA.md returns the same rows
before and after.

The old database is filled with real extractions: the sample articles
(and one whose sentence is over 1000 characters, so that sentences are
stored as windows) are written by store.c into a database of the current
schema, and their rows, read through the views that have the old tables'
columns, are copied into the old tables."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (PG, driver, eq, migrate, migrate_cmd,  # noqa: E402
                     migrations_dir, run_tests, source_dir)

sys.path.insert(0, os.path.join(source_dir(), "tests"))
import examples  # noqa: E402

ARTICLE_COLS = ("sha256, raw, text, title, source, published, reporters,"
                " editors, charset, charset_hint, converted, uri, feed,"
                " content_type, main_region, extractor_version, data_hash,"
                " received_at, stored_at, extracted_at")
OLD_TABLES = [("articles", ARTICLE_COLS), ("pairings", "*"),
              ("figures", "*"), ("flows", "*")]
VIEWS = ["figures", "pairings", "flows", "aid_flows", "aid_money",
         "aid_money_totals", "figures_by_region", "figure_totals",
         "pairing_network"]


def corpus(tmp):
    d = os.path.join(source_dir(), "tests", "corpus")
    files = sorted(os.path.join(d, f) for f in os.listdir(d)
                   if f.endswith(".txt"))
    # One article whose body is a single sentence of several thousand
    # characters: its figures' sentences are stored as windows (…).
    with open(files[0], encoding="utf-8") as f:
        long_one = f.read().replace("。", "，").replace("\n\n", "，")
    p = os.path.join(tmp, "long.txt")
    with open(p, "w", encoding="utf-8") as f:
        f.write(long_one + "。\n")
    return files + [p]


def documented_queries():
    """Every statement of the ```sql blocks of README.md and SCHEMA.md,
    without its LIMIT (ties would make a LIMIT's rows a matter of plan)."""
    out = []
    for st in examples.doc_statements(source_dir()):
        body = "\n".join(l for l in st.splitlines() if not l.startswith("--"))
        body = re.sub(r"\s+LIMIT\s+\d+\s*;?\s*$", "", body.strip())
        out.append(body.rstrip(";"))
    return out


def answers(pg, db, queries):
    """{query: sorted md5 of each row}: the rows, order aside."""
    got = {}
    for q in queries:
        got[q] = sorted(r[0] for r in pg.psql(
            "SET TimeZone = 'UTC'; SELECT md5(x::text) FROM (%s) x" % q,
            db=db))
    return got


def copy_rows(pg, src, dst):
    """The old tables' rows of dst, from src's views of the same name."""
    for table, cols in OLD_TABLES:
        out = subprocess.Popen(
            pg.psql_cmd(db=src) + ["-c", "\\copy (SELECT %s FROM %s)"
                                   " TO STDOUT" % (cols, table)],
            stdout=subprocess.PIPE)
        into = cols if cols != "*" else None
        target = table + (" (%s)" % into if into else "")
        p = subprocess.run(pg.psql_cmd(db=dst) +
                           ["-c", "\\copy %s FROM STDIN" % target],
                           stdin=out.stdout, capture_output=True,
                           timeout=300, check=False)
        out.stdout.close()
        assert out.wait(timeout=300) == 0, "copy out of %s" % table
        assert p.returncode == 0, p.stderr


def test_views_answer_the_same_after_007(pg):
    tmp = tempfile.mkdtemp(prefix="miglean.")
    try:
        new = pg.new_db("leannew")
        migrate(pg, new)
        p = driver(pg, new, "put", *corpus(tmp))
        assert p.stdout.count(" stored") == 6, p.stdout
        n_long = pg.scalar("SELECT count(*) FROM figures"
                           " WHERE sentence LIKE '%…'", db=new)
        assert int(n_long) > 0, "no windowed sentence in the corpus"

        old_dir = os.path.join(tmp, "migrations")
        os.mkdir(old_dir)
        for f in os.listdir(migrations_dir()):
            if f.endswith(".sql") and int(f.split("_")[0]) <= 6:
                shutil.copy(os.path.join(migrations_dir(), f), old_dir)
        old = pg.new_db("leanold")
        subprocess.run(migrate_cmd(pg.dsn(db=old), migrations=old_dir),
                       check=True, capture_output=True, timeout=300)
        eq(pg.scalar("SELECT to_regclass('figure_sets') IS NULL", db=old),
           "t", "the old schema")
        copy_rows(pg, new, old)

        queries = ["SELECT * FROM %s" % v for v in VIEWS]
        queries += documented_queries()
        assert len(queries) > len(VIEWS) + 3, queries
        before = answers(pg, old, queries)
        for v in VIEWS:
            assert before["SELECT * FROM %s" % v], "%s is empty" % v
        eq(answers(pg, new, queries), before,
           "the writer's lean rows answer as the old tables")

        # In batches of 2 articles, each its own transaction (the log
        # says so), the old tables readable until the last step.
        p = subprocess.run(migrate_cmd(pg.dsn(db=old)), capture_output=True,
                           text=True, timeout=300, check=False,
                           env=dict(os.environ, PGOPTIONS="-c"
                                    " eastwest.migrate_batch=2"))
        assert p.returncode == 0, p.stderr
        assert "migrate.applied" in p.stderr, p.stderr
        batches = [x for x in p.stderr.splitlines() if "migrate.batch" in x]
        eq(len(batches), 3, "6 articles in batches of 2: %s" % p.stderr)
        assert "total=6" in batches[-1], batches
        eq(pg.scalar("SELECT to_regclass('figure_sets') IS NOT NULL",
                     db=old), "t", "migrated")
        eq(pg.scalar("SELECT count(*) FROM pg_class WHERE relname LIKE"
                     " 'lean_convert%'", db=old), "0", "no helper left")
        eq(answers(pg, old, queries), before, "same answers after 007")
        # New articles get ids after the converted ones.
        extra = os.path.join(tmp, "extra.txt")
        with open(extra, "w", encoding="utf-8") as f:
            f.write("新增文章\n广东省投入6000元帮扶广西。\n")
        p = driver(pg, old, "put", extra)
        assert p.stdout.count(" stored") == 1, p.stdout
        eq(pg.scalar("SELECT count(DISTINCT id) = count(*) AND count(*) = 7"
                     " FROM articles", db=old), "t", "ids unique")
        # The converted rows keep only what the offsets cannot give
        # back: windows of long sentences (their start is not found).
        eq(pg.scalar("SELECT count(*) FROM figure_sets, unnest(text,"
                     " sentence) AS u (t, s) WHERE t IS NOT NULL OR (s IS"
                     " NOT NULL AND s NOT LIKE '%…%')", db=old), "0",
           "sentences cut out of the text")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    run_tests(globals())
