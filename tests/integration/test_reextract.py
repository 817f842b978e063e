#!/usr/bin/env python3
"""test_reextract.py - `extractd --reextract` after an upgrade: articles
stored by an older extractor (simulated: version - 1, another data hash,
figures gone) come back at the current version with exactly the figures,
pairings and flows `extractd --json` gives for the same bytes; two re-extractors
at once share the work (FOR UPDATE SKIP LOCKED) without doing an article
twice; a second run does nothing; rows locked by someone else are left
for the next run (resumable); rows of a newer extractor are left alone."""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (binary, data_dir, eq, literal, run_tests,  # noqa: E402
                     source_dir, wait_for)
from daemons import (Article, Stack, corpus_variants, drop,  # noqa: E402
                     json_extract, log)

N = 300


def version():
    """(EXT_VERSION, data hash) from extractd --version."""
    out = subprocess.run([binary("extractd"), "--version"],
                         stdout=subprocess.PIPE, text=True, check=True,
                         timeout=30,
                         env=dict(os.environ, EXTRACTD_DATA=data_dir())
                         ).stdout.split()
    eq(out[0], "extractd", "--version output")
    return int(out[1]), out[2]


def start_reextract(s):
    return subprocess.Popen([binary("extractd"), "--reextract", "--db",
                             s.dsn], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, EXTRACTD_DATA=data_dir()))


def finish(p, timeout=180):
    """Waits for a re-extractor; returns (exit code, articles it did, log)."""
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        raise AssertionError("extractd --reextract did not finish:\n" + out)
    m = re.findall(r"reextract\.done articles=(\d+)", out)
    assert p.returncode != 0 or len(m) == 1, out
    return p.returncode, int(m[0]) if m else None, out


def run_reextract(s):
    return finish(start_reextract(s))


def heldout():
    """The held-out articles: two Traditional, one GB18030 (raw bytes
    whose charset must be detected again from articles.raw)."""
    d = os.path.join(source_dir(), "tests", "data", "heldout")
    out = []
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if os.path.isfile(p):
            with open(p, "rb") as fh:
                out.append(Article(f, fh.read()))
    return out


def store(s, arts):
    ing = s.ingestd()
    w = s.extractd(ing)
    for a in arts:
        drop(s.spool, a.name, a.body)
    s.wait_articles(len(arts), timeout=120)
    s.wait_spool_empty()
    eq(s.error_count(), 0, "ingest_errors")
    eq(w.stop(), 0, "extractd exit")
    eq(ing.stop(), 0, "ingestd exit")


def db_figures(s):
    """{sha256: Counter((value, unit))} from figures."""
    out = {}
    for sha, v, u in s.q("SELECT sha256, value, unit FROM figures"):
        out.setdefault(sha, Counter())[(Decimal(v), u)] += 1
    return out


def db_pairings(s):
    out = {}
    for sha, h, r, rel in s.q("SELECT sha256, helper, recipient, relation"
                              " FROM pairings"):
        out.setdefault(sha, Counter())[(h, r, rel)] += 1
    return out


def db_flows(s):
    out = {}
    for row in s.q("SELECT sha256, figure_ord, value, helper, recipient,"
                   " year, category, part_of FROM flows"):
        sha, fig, v, h, r, y, c, po = row
        out.setdefault(sha, Counter())[(int(fig), Decimal(v), h, r,
                                        None if y is None else int(y), c,
                                        None if po is None else int(po))] += 1
    return out


def json_flows(r):
    return Counter((f["figure"], Decimal(str(f["value"])), f["helper"] or None,
                    f["recipient"] or None, f["year"] or None, f["category"],
                    f["part_of"])
                   for f in r.get("flows") or [])


def want_from_json(s, arts):
    tmp = os.path.join(s.dir, "json")
    os.makedirs(tmp, exist_ok=True)
    for a in arts:
        with open(os.path.join(tmp, a.name), "wb") as f:
            f.write(a.body)
    res = json_extract(os.path.join(tmp, a.name) for a in arts)
    shutil.rmtree(tmp, ignore_errors=True)
    eq(len(res), len(arts), "--json results")
    figs, pairs, flows = {}, {}, {}
    for a in arts:
        r = res[a.name]
        assert "error" not in r, r
        figs[a.id] = Counter((Decimal(str(f["value"])), f["unit"])
                             for f in r.get("figures", []))
        pairs[a.id] = Counter((p["helper"], p["recipient"], p["relation"])
                              for p in r.get("pairings", []))
        flows[a.id] = json_flows(r)
    return ({k: v for k, v in figs.items() if v},
            {k: v for k, v in pairs.items() if v},
            {k: v for k, v in flows.items() if v})


def versions(s):
    return dict((r[0], (int(r[1]), r[2])) for r in s.q(
        "SELECT sha256, extractor_version, data_hash FROM articles"))


def extracted_at(s):
    return dict(s.q("SELECT sha256, extracted_at FROM articles"))


def age(s, where):
    """Makes articles look stored by the previous extractor, rows gone."""
    s.q("BEGIN;"
        " UPDATE articles SET extractor_version = extractor_version - 1,"
        " data_hash = 'old' WHERE %s;"
        " DELETE FROM flow_rows WHERE article_id IN"
        " (SELECT id FROM articles WHERE data_hash = 'old');"
        " DELETE FROM figure_sets WHERE article_id IN"
        " (SELECT id FROM articles WHERE data_hash = 'old');"
        " DELETE FROM pairing_rows WHERE article_id IN"
        " (SELECT id FROM articles WHERE data_hash = 'old');"
        " COMMIT" % where)


def test_two_reextractors_restore_the_current_version(pg):
    ver, dhash = version()
    arts = corpus_variants(N - len(heldout()), tag="rx") + heldout()
    with Stack(pg, "rx") as s:
        store(s, arts)
        eq(set(versions(s).values()), {(ver, dhash)}, "versions at first")
        want_f, want_p, want_w = want_from_json(s, arts)
        eq(db_figures(s), want_f, "figures before (pipeline vs --json)")
        eq(db_pairings(s), want_p, "pairings before (pipeline vs --json)")
        eq(db_flows(s), want_w, "flows before (pipeline vs --json)")
        assert want_w, "no flows in the corpus"

        # One article was written by a newer extractor: leave it alone.
        newer = arts[7].id
        s.q("UPDATE articles SET extractor_version = extractor_version + 1,"
            " data_hash = 'future' WHERE sha256 = %s" % literal(newer))
        newer_rows = (s.q("SELECT ord, value, unit FROM figures WHERE"
                          " sha256 = %s ORDER BY ord" % literal(newer)),
                      extracted_at(s)[newer])
        age(s, "sha256 <> %s" % literal(newer))
        eq(int(s.scalar("SELECT count(*) FROM articles WHERE data_hash ="
                        " 'old'")), N - 1, "aged articles")
        eq(int(s.scalar("SELECT count(*) FROM figures WHERE sha256 <> %s"
                        % literal(newer))), 0, "figures deleted")
        before = extracted_at(s)

        p1, p2 = start_reextract(s), start_reextract(s)
        rc1, n1, out1 = finish(p1)
        rc2, n2, out2 = finish(p2)
        eq(rc1, 0, "first re-extractor:\n" + out1)
        eq(rc2, 0, "second re-extractor:\n" + out2)
        log("  two re-extractors: %d + %d articles" % (n1, n2))
        # SKIP LOCKED and the version test under the row lock: every aged
        # article exactly once between them.
        eq(n1 + n2, N - 1, "articles re-extracted by both")

        v = versions(s)
        eq(v.pop(newer), (ver + 1, "future"), "the newer article")
        eq(set(v.values()), {(ver, dhash)}, "versions after")
        eq(db_figures(s), want_f, "figures after (vs --json)")
        eq(db_pairings(s), want_p, "pairings after (vs --json)")
        eq(db_flows(s), want_w, "flows after (vs --json)")
        after = extracted_at(s)
        eq(after[newer], newer_rows[1], "newer article's extracted_at")
        eq(s.q("SELECT ord, value, unit FROM figures WHERE sha256 = %s"
               " ORDER BY ord" % literal(newer)), newer_rows[0],
           "newer article's figures")
        moved = [k for k in after if k != newer and after[k] == before[k]]
        eq(moved, [], "articles whose extracted_at did not move")
        eq(s.error_count(), 0, "ingest_errors")

        # Again: nothing to do, nothing touched.
        rc, n, out = run_reextract(s)
        eq((rc, n), (0, 0), "second run:\n" + out)
        eq(extracted_at(s), after, "extracted_at after the second run")
        eq(versions(s)[newer], (ver + 1, "future"), "newer, still")


def test_locked_rows_wait_for_the_next_run(pg):
    """Rows another session holds are skipped, not waited for: the run
    ends (exit 0) with them still old, and the next run does just them."""
    ver, dhash = version()
    arts = corpus_variants(40, tag="lk")
    with Stack(pg, "rxlock") as s:
        store(s, arts)
        want_f, _, _ = want_from_json(s, arts)
        age(s, "true")
        held = sorted(a.id for a in arts)[10:15]
        held_sql = ", ".join(literal(h) for h in held)
        holder = subprocess.Popen(
            pg.psql_cmd(db=s.db) + [
                "-c", "BEGIN",
                "-c", "SELECT sha256 FROM articles WHERE sha256 IN (%s)"
                      " FOR UPDATE" % held_sql,
                "-c", "SELECT pg_sleep(600)"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: s.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname ="
                " current_database() AND query LIKE 'SELECT pg_sleep(600)%'"
                " AND state = 'active'") == "1", timeout=60,
                what="the rows held (holder: %s)" % (
                    holder.poll() is not None and holder.stderr.read()))
            rc, n, out = run_reextract(s)
            eq(rc, 0, "run with rows held:\n" + out)
            eq(n, len(arts) - len(held), "articles done around the lock")
            old = sorted(r[0] for r in s.q("SELECT sha256 FROM articles"
                                           " WHERE data_hash = 'old'"))
            eq(old, held, "still old: the held rows")
        finally:
            # The server would sleep on with the locks after the client
            # is gone: end the session itself.
            s.q("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database()"
                " AND query LIKE 'SELECT pg_sleep(600)%'")
            holder.kill()
            holder.wait()
        wait_for(lambda: s.scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON"
            " c.oid = l.relation WHERE c.relname = 'articles'"
            " AND l.mode = 'RowShareLock'") == "0", timeout=60,
            what="the holder's session gone")
        rc, n, out = run_reextract(s)
        eq((rc, n), (0, len(held)), "the next run:\n" + out)
        eq(set(versions(s).values()), {(ver, dhash)}, "versions")
        eq(db_figures(s), want_f, "figures vs --json")
        rc, n, out = run_reextract(s)
        eq((rc, n), (0, 0), "a third run:\n" + out)


if __name__ == "__main__":
    run_tests(globals())
