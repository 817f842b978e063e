#!/usr/bin/env python3
"""test_ops_roles.py - the roles as operators use them, with the real
daemons (test_roles.py checks the grants through store_driver and psql):

* a login in eastwest_reader reads every view of schema public (listed
  from pg_views, so a new view is covered the day it is added) and every
  table, and cannot write;
* a login in eastwest_writer runs the real worker: articles stored, a
  duplicate answered, an undecodable article recorded in ingest_errors,
  re-extraction; and still cannot DROP or read another schema;
* the worker's session, seen from the server: application_name, user,
  the lock_timeout / statement_timeout / idle_in_transaction_session_timeout
  it sets (statement log), a lock wait given up after the default 5 s, a
  worker frozen inside a transaction cut off by
  idle_in_transaction_session_timeout and its batch redone; /readyz 503
  while a batch waits on a lock longer than --ready-stall-ms."""

import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import binary, data_dir, eq, ident, run_tests, wait_for  # noqa
from daemons import Stack, corpus_variants, drop, http_get, log  # noqa

READER = "ops_analyst"
WRITER = "ops_extractd"
DOC_VIEWS = {"aid_flows", "aid_money", "aid_money_totals",
             "figures_by_region", "figure_totals", "pairing_network"}


def logins(pg):
    pg.create_login(READER, member_of=["eastwest_reader"])
    pg.create_login(WRITER, member_of=["eastwest_writer"])


def as_writer(s):
    """Makes the stack's next extractd connect as the writer login."""
    s.dsn = s.pg.dsn(db=s.db, user=WRITER)


def pg_log(pg):
    with open(os.path.join(pg.dir, "pg.log"), encoding="utf-8",
              errors="replace") as f:
        return f.read()


def worker_backends(s):
    """(pid, usename, state, wait_event_type) of extractd's sessions."""
    return s.q("SELECT pid, usename, state, wait_event_type"
               " FROM pg_stat_activity WHERE datname = current_database()"
               " AND application_name = 'extractd' ORDER BY pid")


# The ACCESS EXCLUSIVE lock on articles, granted (FROM ... WHERE ...).
ARTICLES_LOCK = ("pg_locks l JOIN pg_class c ON c.oid = l.relation"
                 " WHERE c.relname = 'articles'"
                 " AND l.mode = 'AccessExclusiveLock' AND l.granted")


def lock_articles(s, hold_s):
    """psql holding an ACCESS EXCLUSIVE lock on articles for hold_s
    seconds, then committing (stderr piped)."""
    return subprocess.Popen(
        s.pg.psql_cmd(db=s.db) + ["-c", "BEGIN", "-c",
                                  "LOCK TABLE articles IN ACCESS"
                                  " EXCLUSIVE MODE",
                                  "-c", "SELECT pg_sleep(%d)" % hold_s,
                                  "-c", "COMMIT"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def block_worker_on_lock(s, art):
    """Once the lock is held, feeds art and waits until the worker's
    session waits on the lock."""
    wait_for(lambda: s.scalar("SELECT count(*) FROM " + ARTICLES_LOCK)
             == "1", timeout=60, what="the lock held")
    drop(s.spool, art.name, art.body)
    wait_for(lambda: any(r[3] == "Lock" for r in worker_backends(s)),
             timeout=60, what="the worker waiting on the lock")


def test_reader_reads_every_view_and_writes_nothing(pg):
    with Stack(pg, "reader") as s:
        logins(pg)
        views = [r[0] for r in s.q("SELECT viewname FROM pg_views"
                                   " WHERE schemaname = 'public' ORDER BY 1")]
        tables = [r[0] for r in s.q("SELECT tablename FROM pg_tables"
                                    " WHERE schemaname = 'public'"
                                    " ORDER BY 1")]
        assert DOC_VIEWS <= set(views), "documented views missing: %r" % (
            DOC_VIEWS - set(views))
        # Some rows, so the views run their joins on data.
        ing = s.ingestd()
        s.extractd(ing)
        arts = corpus_variants(5, tag="rd")
        for a in arts:
            drop(s.spool, a.name, a.body)
        s.wait_articles(len(arts))
        for v in views + tables:
            got = pg.scalar("SELECT count(*) FROM %s" % ident(v), db=s.db,
                            user=READER)
            eq(got, s.scalar("SELECT count(*) FROM %s" % ident(v)),
               "rows of %s as the reader" % v)
        assert int(pg.scalar("SELECT count(*) FROM aid_money", db=s.db,
                             user=READER)) > 0, "aid_money is empty"
        for sql in ["INSERT INTO articles (sha256, raw)"
                    " VALUES (repeat('0', 64), '\\x00')",
                    "UPDATE articles SET title = 'x'",
                    "DELETE FROM figure_sets",
                    "TRUNCATE pairing_rows",
                    "CREATE TABLE scratch (x int)"]:
            e = pg.psql_error(sql, db=s.db, user=READER)
            eq(e.sqlstate, "42501", "reader: " + sql)
        eq(s.article_count(), len(arts), "articles untouched")
        log("  reader read %d views and %d tables" % (len(views),
                                                      len(tables)))


def test_writer_runs_the_worker(pg):
    arts = corpus_variants(8, tag="wr")
    bad = b"\xff\xfe\x00\x00 not text \x80\x81\x82" * 20
    with Stack(pg, "writer") as s:
        logins(pg)
        ing = s.ingestd()
        as_writer(s)
        w = s.extractd(ing)
        for a in arts:
            drop(s.spool, a.name, a.body)
        drop(s.spool, "bad.bin", bad)
        s.wait_articles(len(arts))
        wait_for(lambda: s.error_count() == 1, timeout=20,
                 what="the undecodable article in ingest_errors")
        s.wait_spool_empty()
        eq(s.stored_ids(), {a.id for a in arts}, "stored ids")
        eq(s.spool_files("failed"), ["bad.bin", "bad.bin.error"], "failed/")
        # The same bytes again: the writer's session answers duplicate.
        drop(s.spool, "again.txt", arts[0].body)
        wait_for(lambda: ing.metrics().get(
            'ingestd_articles_acked_total{status="duplicate"}', 0) == 1,
            timeout=20, what="duplicate ack")
        rows = worker_backends(s)
        eq(len(rows), 1, "extractd sessions: %r" % (rows,))
        eq(rows[0][1], WRITER, "the worker's session user")
        assert int(s.scalar("SELECT count(*) FROM figures")) > 0
        eq(w.stop(), 0, "extractd exit")
        eq(ing.stop(), 0, "ingestd exit")
        # Re-extraction as the writer, as section 7 of OPERATIONS.md runs it.
        s.q("UPDATE articles SET extractor_version = extractor_version - 1")
        p = subprocess.run([binary("extractd"), "--reextract", "--db",
                            s.dsn], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120,
                           check=False,
                           env=dict(os.environ, EXTRACTD_DATA=data_dir()))
        eq(p.returncode, 0, "reextract as the writer:\n" + p.stdout)
        ver = int(subprocess.run([binary("extractd"), "--version"],
                                 stdout=subprocess.PIPE, text=True,
                                 check=True).stdout.split()[1])
        eq(s.q("SELECT DISTINCT extractor_version FROM articles"),
           [(str(ver),)], "versions after reextract")
        # What the writer still must not do.
        s.q("CREATE SCHEMA IF NOT EXISTS vault;"
            " CREATE TABLE vault.secret (x int); INSERT INTO vault.secret"
            " VALUES (42)")
        for sql in ["DROP TABLE figure_sets", "SELECT * FROM vault.secret",
                    "DROP VIEW aid_money", "TRUNCATE articles",
                    "CREATE TABLE public.mine (x int)"]:
            e = pg.psql_error(sql, db=s.db, user=WRITER)
            eq(e.sqlstate, "42501", "writer: " + sql)
        eq(s.scalar("SELECT to_regclass('public.figure_sets') IS NOT NULL"), "t",
           "figures still there")


def _session_sets(text, db):
    """{name: value} of the SET statements the writer's sessions logged."""
    out = {}
    for m in re.finditer(r"%s@%s LOG:  statement: (.*)" % (WRITER, db),
                         text):
        for name, val in re.findall(r"SET\s+(\w+)\s*(?:=|TO)\s*'?([^';]*)",
                                    m.group(1), re.I):
            out[name.lower()] = val.strip()
    return out


def test_worker_session_settings(pg):
    with Stack(pg, "session") as s:
        logins(pg)
        # Statements of the writer's new sessions in this database go to
        # the server log: the SETs the worker sends are what its session
        # runs with (pg_settings shows only one's own session).
        s.q("ALTER ROLE %s IN DATABASE %s SET log_statement = 'all'"
            % (ident(WRITER), ident(s.db)))
        try:
            ing = s.ingestd()
            as_writer(s)
            w = s.extractd(ing)
            rows = worker_backends(s)
            eq([(r[1], r[2]) for r in rows], [(WRITER, "idle")],
               "the worker's session in pg_stat_activity")
            sets = _session_sets(pg_log(pg), s.db)
            eq(sets.get("lock_timeout"), "5000", "lock_timeout (ms)")
            eq(sets.get("idle_in_transaction_session_timeout"), "60000",
               "idle_in_transaction_session_timeout (ms)")
            eq(sets.get("statement_timeout"), "30000", "statement_timeout")
            # application_name is libpq's fallback, not SET over PGAPPNAME.
            assert "application_name" not in sets, sets
            # The same defaults are what --help documents.
            h = subprocess.run([binary("extractd"), "--help"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               check=False).stdout
            for flag, want in (("lock-timeout-ms", "5000"),
                               ("idle-tx-timeout-ms", "60000"),
                               ("statement-timeout-ms", "30000")):
                m = re.search(r"--%s N\n.*\n.*default (\d+)" % flag, h)
                assert m, "--%s in --help:\n%s" % (flag, h)
                eq(m.group(1), want, "--help default of --" + flag)
            eq(w.stop(), 0, "extractd exit")
            # Flags reach the session too.
            w2 = s.extractd(ing, extra=["--lock-timeout-ms", "1234",
                                        "--idle-tx-timeout-ms", "4321"])
            sets = _session_sets(pg_log(pg), s.db)
            eq(sets.get("lock_timeout"), "1234", "--lock-timeout-ms")
            eq(sets.get("idle_in_transaction_session_timeout"), "4321",
               "--idle-tx-timeout-ms")
            eq(w2.stop(), 0, "extractd exit")
            eq(ing.stop(), 0, "ingestd exit")
        finally:
            s.q("ALTER ROLE %s IN DATABASE %s RESET log_statement"
                % (ident(WRITER), ident(s.db)))


def _extractd_with_appname(s, ing, appname):
    """An extractd started with PGAPPNAME=appname, or without PGAPPNAME
    when appname is None."""
    old = os.environ.pop("PGAPPNAME", None)
    if appname is not None:
        os.environ["PGAPPNAME"] = appname
    try:
        return s.extractd(ing)
    finally:
        os.environ.pop("PGAPPNAME", None)
        if old is not None:
            os.environ["PGAPPNAME"] = old


def _app_names(s):
    return sorted(r[0] for r in s.q(
        "SELECT application_name FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND application_name LIKE 'extractd%'"))


def test_pgappname_reaches_pg_stat_activity(pg):
    """PGAPPNAME (the pod name in the Deployment, the container name in
    compose) is the worker session's application_name; without it the
    name is extractd (libpq's fallback_application_name)."""
    name = "extractd-7d9f-%d" % os.getpid()
    with Stack(pg, "appname") as s:
        ing = s.ingestd()
        w = _extractd_with_appname(s, ing, name)
        eq(_app_names(s), [name], "application_name with PGAPPNAME")
        eq(w.stop(), 0, "extractd exit")
        wait_for(lambda: _app_names(s) == [], timeout=30,
                 what="the first worker's session gone")
        w = _extractd_with_appname(s, ing, None)
        eq(_app_names(s), ["extractd"], "application_name without PGAPPNAME")
        eq(w.stop(), 0, "extractd exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_lock_wait_gives_up_after_lock_timeout(pg):
    """The default lock_timeout (5 s), observed: a worker blocked by an
    ACCESS EXCLUSIVE lock gives up after about 5 s, retries, and stores
    the article once the lock is gone; nothing is counted as an attempt."""
    art = corpus_variants(1, tag="lock")[0]
    hold_s = 20  # the 5 s lock_timeout inside it, with room on a slow machine
    with Stack(pg, "lock") as s:
        logins(pg)
        ing = s.ingestd()
        as_writer(s)
        w = s.extractd(ing)
        holder = lock_articles(s, hold_s)
        try:
            block_worker_on_lock(s, art)
            t0 = time.monotonic()
            rx = re.compile(r"%s@%s ERROR:  canceling statement due to lock"
                            r" timeout" % (WRITER, s.db))
            wait_for(lambda: rx.search(pg_log(pg)), timeout=15,
                     interval=0.1, what="lock timeout in the server log")
            waited = time.monotonic() - t0
            log("  lock wait given up after %.1fs" % waited)
            assert 3.5 <= waited <= 8.0, "lock_timeout ~5 s: %.1fs" % waited
            eq(s.article_count(), 0, "nothing stored under the lock")
            assert w.alive()
        finally:
            try:
                holder.wait(timeout=hold_s + 10)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait()
        eq(holder.returncode, 0, "lock holder: %s" % holder.stderr.read())
        s.wait_articles(1, timeout=30)
        s.wait_spool_empty()
        mi = ing.metrics()
        eq(mi["ingestd_articles_redelivered_total"], 0, "redelivered")
        eq(mi['ingestd_articles_acked_total{status="stored"}'], 1, "stored")
        eq(w.stop(), 0, "extractd exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_sigterm_cancels_a_statement_blocked_past_the_drain(pg):
    """A worker whose statement waits on a lock (lock_timeout and
    statement_timeout far away) leaves on SIGTERM within --drain-ms: the
    statement is cancelled when the drain time is over, the article is
    given back untried (no attempt counted) and a new worker stores it
    once the lock is gone."""
    art = corpus_variants(1, tag="drain-lock")[0]
    drain_ms = 3000
    with Stack(pg, "drainlock") as s:
        logins(pg)
        ing = s.ingestd()
        as_writer(s)
        w = s.extractd(ing, extra=["--lock-timeout-ms", "600000",
                                   "--statement-timeout-ms", "600000",
                                   "--drain-ms", str(drain_ms)])
        holder = lock_articles(s, 600)
        try:
            block_worker_on_lock(s, art)
            t0 = time.monotonic()
            w.signal(signal.SIGTERM)
            # Far below the 600 s the statement would wait: the drain
            # (3 s) plus a slow machine's margin.
            rc = w.proc.wait(timeout=60)
            took = time.monotonic() - t0
            log("  worker left %.1fs after SIGTERM" % took)
            eq(rc, 0, "extractd exit code")
            assert "store.cancelled" in w.log(), w.log()[-3000:]
        finally:
            # The lock goes with its backend, not with psql.
            s.q("SELECT pg_terminate_backend(l.pid) FROM " + ARTICLES_LOCK)
            holder.wait(timeout=60)
        eq(s.article_count(), 0, "nothing stored under the lock")
        s.extractd(ing)
        s.wait_articles(1, timeout=60)
        s.wait_spool_empty()
        eq(s.spool_files("failed"), [], "failed/")
        mi = ing.metrics()
        eq(mi['ingestd_articles_acked_total{status="stored"}'], 1, "stored")
        eq(mi.get('ingestd_articles_poison_total', 0), 0, "poison")
        eq(ing.stop(), 0, "ingestd exit")


def hold_article_row(s, sha256, hold_s):
    """psql holding the articles row of sha256 FOR UPDATE for hold_s
    seconds (a frozen peer inside its transaction), then committing."""
    return subprocess.Popen(
        s.pg.psql_cmd(db=s.db) + [
            "-c", "BEGIN",
            "-c", "SELECT 1 FROM articles WHERE sha256 = '%s' FOR UPDATE"
            % sha256,
            "-c", "SELECT pg_sleep(%d)" % hold_s, "-c", "COMMIT"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


ROW_HOLDER = ("pg_stat_activity WHERE datname = current_database()"
              " AND query LIKE 'SELECT pg_sleep%' AND state = 'active'")


def test_readyz_503_while_a_batch_waits_on_a_lock(pg):
    """A worker whose batch waits on a row that a frozen peer holds (the
    default 5 s lock_timeout gives up, the batch is retried on a new
    session, again and again) answers /readyz 503 with the reason once the
    batch has waited --ready-stall-ms, which is above lock_timeout here, so
    only the wait across retries reaches it; /healthz stays 200 and
    extractd_ready is 0. Once the row is free the batch commits and
    /readyz is 200 again."""
    art = corpus_variants(1, tag="stall")[0]
    stall_ms = 8000
    with Stack(pg, "stall") as s:
        logins(pg)
        ing = s.ingestd()
        as_writer(s)
        w = s.extractd(ing, extra=["--ready-stall-ms", str(stall_ms)])
        drop(s.spool, art.name, art.body)
        s.wait_articles(1, timeout=60)
        wait_for(lambda: http_get(w.http_port, "/readyz")[0] == 200,
                 timeout=60, what="worker ready")
        holder = hold_article_row(s, art.id, 600)
        try:
            wait_for(lambda: s.scalar("SELECT count(*) FROM " + ROW_HOLDER)
                     == "1", timeout=60, what="the row held")
            # The same bytes again: the upsert waits on the held row.
            drop(s.spool, "again-" + art.name, art.body)
            wait_for(lambda: any(r[3] == "Lock" for r in worker_backends(s)),
                     timeout=60, what="the worker waiting on the row")
            t0 = time.monotonic()

            def unready():
                st, body = http_get(w.http_port, "/readyz")
                return st == 503 and "--ready-stall-ms" in body and body

            body = wait_for(unready, timeout=90, interval=0.2,
                            what="/readyz 503 for the batch's wait")
            took = time.monotonic() - t0
            log("  /readyz: %s after %.1fs" % (body.strip(), took))
            assert re.match(r"a batch has waited \d+ ms on PostgreSQL",
                            body), body
            eq(http_get(w.http_port, "/healthz")[0], 200,
               "/healthz while the batch waits")
            # The probe reads the wait's start itself; the worker's own
            # thread logs and sets the gauge at its next 100 ms slice.
            wait_for(lambda: "worker.stalled" in w.log(), timeout=60,
                     what="worker.stalled in the log")
            wait_for(lambda: w.metrics()["extractd_ready"] == 0,
                     timeout=60, what="extractd_ready 0")
            eq(http_get(w.http_port, "/readyz")[0], 503,
               "/readyz still 503")
        finally:
            s.q("SELECT pg_terminate_backend(pid) FROM " + ROW_HOLDER)
            holder.wait(timeout=60)
        s.wait_spool_empty()
        wait_for(lambda: http_get(w.http_port, "/readyz")[0] == 200,
                 timeout=60, what="/readyz 200 once the batch committed")
        wait_for(lambda: w.metrics()["extractd_ready"] == 1, timeout=60,
                 what="extractd_ready 1 again")
        wait_for(lambda: "worker.unstalled" in w.log(), timeout=60,
                 what="worker.unstalled in the log")
        m = w.metrics()
        eq(m['extractd_articles_total{status="duplicate"}'], 1, "duplicate")
        eq(s.article_count(), 1, "articles")
        eq(w.stop(), 0, "extractd exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_frozen_worker_cut_off_by_idle_tx_timeout(pg):
    """A worker frozen inside its transaction (SIGSTOP: a GC-like pause, a
    stuck host) does not hold its locks forever: the server ends the
    session after --idle-tx-timeout-ms; the worker, thawed, redoes the
    batch on a new session."""
    art = corpus_variants(1, tag="idle")[0]
    with Stack(pg, "idle") as s:
        logins(pg)
        ing = s.ingestd()
        as_writer(s)
        w = s.extractd(ing, extra=["--batch-ms", "2000",
                                   "--batch-linger-ms", "2000",
                                   "--batch-size", "100",
                                   "--idle-tx-timeout-ms", "2500"])
        drop(s.spool, art.name, art.body)
        rows = wait_for(lambda: [r for r in worker_backends(s)
                                 if r[2] == "idle in transaction"],
                        timeout=10, interval=0.02,
                        what="the worker idle in its transaction")
        pid = rows[0][0]
        w.proc.send_signal(signal.SIGSTOP)
        t0 = time.monotonic()
        try:
            wait_for(lambda: s.scalar("SELECT count(*) FROM pg_stat_activity"
                                      " WHERE pid = %s" % pid) == "0",
                     timeout=30, interval=0.1,
                     what="the frozen session ended by the server")
            log("  session ended %.1fs after the freeze"
                % (time.monotonic() - t0))
        finally:
            w.proc.send_signal(signal.SIGCONT)
        assert re.search(r"%s@%s FATAL:  terminating connection due to"
                         r" idle-in-transaction timeout" % (WRITER, s.db),
                         pg_log(pg)), "no idle-in-transaction FATAL"
        s.wait_articles(1, timeout=30)
        s.wait_spool_empty()
        m = w.metrics()
        eq(m["extractd_pg_reconnects_total"], 1, "reconnects")
        eq(m['extractd_articles_total{status="stored"}'], 1, "stored")
        eq(ing.metrics()["ingestd_articles_redelivered_total"], 0,
           "redelivered")
        eq(w.stop(), 0, "extractd exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_idle_tx_timeout_must_outlast_a_batch(pg):
    """--idle-tx-timeout-ms at or below --batch-ms would have the server
    end every session before its COMMIT: the worker would redo the same
    batch forever. extractd refuses the combination at start."""
    p = subprocess.run([binary("extractd"), "--db", pg.dsn(),
                        "--connect", "tcp://127.0.0.1:1",
                        "--batch-ms", "3000", "--idle-tx-timeout-ms",
                        "2000"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=20,
                       check=False,
                       env=dict(os.environ, EXTRACTD_DATA=data_dir()))
    eq(p.returncode, 2, "exit status:\n" + p.stdout)
    assert "idle-tx-timeout-ms" in p.stdout, p.stdout


if __name__ == "__main__":
    run_tests(globals())
