#!/usr/bin/env python3
"""test_ops_metrics.py - what an operator sees on /metrics, /healthz and
/readyz of both daemons: counters that move by exactly what was fed, an
exposition promtool accepts, a worker that says "not ready" while
PostgreSQL is down (and stays alive), then ready again on its own, and an
ingestd that says "not ready" while it drains."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import (Stack, corpus_variants, drop, http_get,  # noqa: E402
                     log)

N = 25

STORED_I = 'ingestd_articles_acked_total{status="stored"}'
STORED_W = 'extractd_articles_total{status="stored"}'
RECEIVED = 'ingestd_articles_received_total{source="spool"}'


def delta(after, before, key):
    return after.get(key, 0.0) - before.get(key, 0.0)


def promtool_check(text, what):
    """`promtool check metrics` on an exposition, when promtool exists."""
    exe = shutil.which("promtool")
    if not exe:
        log("  promtool not on PATH: exposition format not linted")
        return
    p = subprocess.run([exe, "check", "metrics"], input=text,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=30, check=False)
    assert p.returncode == 0, "promtool check metrics (%s): rc %d\n%s" % (
        what, p.returncode, p.stdout)


def wait_status(port, path, want, timeout, what):
    """Polls GET path until it answers want; returns (status, body)."""
    last = [None]

    def ok():
        last[0] = http_get(port, path, timeout=10.0)
        return last[0][0] == want
    try:
        wait_for(ok, timeout=timeout, interval=0.1, what=what)
    except AssertionError:
        raise AssertionError("%s: last answer %r" % (what, last[0]))
    return last[0]


def test_counters_move_by_what_was_fed(pg):
    arts = corpus_variants(N, tag="met")
    with Stack(pg, "metrics") as s:
        ing = s.ingestd()
        w = s.extractd(ing)
        # Ready once the worker heard ingestd's first heartbeat.
        wait_status(w.http_port, "/readyz", 200, 60, "worker ready")
        eq(http_get(ing.http_port, "/readyz")[0], 200, "ingestd ready")
        for port, who in ((ing.http_port, "ingestd"), (w.http_port,
                                                       "extractd")):
            st, body = http_get(port, "/healthz")
            eq(st, 200, who + " /healthz")
        bi, bw = ing.metrics(), w.metrics()
        # Counters exist (at 0) before anything happened.
        for k in (STORED_I, RECEIVED, "ingestd_articles_dispatched_total"):
            eq(bi.get(k), 0.0, "ingestd before: " + k)
        for k in (STORED_W, "extractd_extract_seconds_count",
                  "extractd_figures_written_total"):
            eq(bw.get(k), 0.0, "extractd before: " + k)

        for a in arts:
            drop(s.spool, a.name, a.body)
        s.wait_articles(N, timeout=60)
        # The ACK follows the COMMIT: wait for ingestd to have them all.
        wait_for(lambda: ing.metrics().get(STORED_I, 0) == N, timeout=20,
                 what="ingestd acked stored == N")
        s.wait_spool_empty()
        ai, aw = ing.metrics(), w.metrics()
        eq(delta(ai, bi, RECEIVED), N, "ingestd received")
        eq(delta(ai, bi, "ingestd_articles_dispatched_total"), N,
           "ingestd dispatched")
        eq(delta(ai, bi, STORED_I), N, "ingestd acked stored")
        for st in ("duplicate", "rejected", "failed", "released"):
            k = 'ingestd_articles_acked_total{status="%s"}' % st
            eq(delta(ai, bi, k), 0, "ingestd " + k)
        eq(ai["ingestd_articles_redelivered_total"], 0, "redelivered")
        eq(ai["ingestd_leases_in_flight"], 0, "leases")
        eq(ai["ingestd_spool_backlog"], 0, "backlog")
        eq(ai["ingestd_workers_connected"], 1, "workers connected")

        eq(delta(aw, bw, STORED_W), N, "extractd stored")
        eq(delta(aw, bw, "extractd_extract_seconds_count"), N,
           "extract_seconds _count")
        assert aw["extractd_extract_seconds_sum"] > 0, aw
        eq(aw['extractd_extract_seconds_bucket{le="+Inf"}'], N,
           "extract_seconds +Inf bucket")
        commits = aw["extractd_commit_seconds_count"]
        assert 1 <= commits <= N, "commit batches: %r" % commits
        figures = int(s.scalar("SELECT count(*) FROM figures"))
        pairings = int(s.scalar("SELECT count(*) FROM pairings"))
        assert figures > N, "the corpus has figures: %d" % figures
        eq(aw["extractd_figures_written_total"], figures,
           "figures_written_total vs SELECT count(*) FROM figures")
        eq(aw["extractd_pairings_written_total"], pairings,
           "pairings_written_total vs SELECT count(*) FROM pairings")
        eq(aw["extractd_articles_in_hand"], 0, "in hand")
        eq(aw["extractd_db_up"], 1, "db_up")
        eq(aw["extractd_ready"], 1, "ready gauge")
        eq(aw["extractd_pg_reconnects_total"], 0, "reconnects")

        for port, who in ((ing.http_port, "ingestd"),
                          (w.http_port, "extractd")):
            st, text = http_get(port, "/metrics")
            eq(st, 200, who + " /metrics")
            promtool_check(text, who)
            st, _ = http_get(port, "/healthz")
            eq(st, 200, who + " /healthz after")
        log("  %d articles, %d figures, %d pairings, %d commits"
            % (N, figures, pairings, commits))
        # Both daemons log every counter and gauge as one "stats" event a
        # minute (docs/OPERATIONS.md), with the values /metrics shows.
        for d, key in ((ing, "ingestd_articles_acked_total.stored"),
                       (w, "extractd_articles_total.stored")):
            d.wait_log(r" info stats .*\b%s=%d\b" % (re.escape(key), N),
                       timeout=150)
        eq(w.stop(), 0, "extractd exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_readyz_follows_postgres(pg):
    before = corpus_variants(5, tag="pre")
    during = corpus_variants(10, start=100, tag="out")
    with Stack(pg, "ready") as s:
        ing = s.ingestd()
        # JSON logs, as in every container: what libpq reads from a closing
        # server must come out as events too.
        w = s.extractd(ing, extra=["--log-format", "json"])
        for a in before:
            drop(s.spool, a.name, a.body)
        s.wait_articles(len(before))
        wait_status(w.http_port, "/readyz", 200, 60, "worker ready")
        pid = w.proc.pid
        try:
            # PostgreSQL goes away while the worker is idle: it must notice
            # by itself, not only when it next writes.
            pg.halt()
            t0 = time.monotonic()
            st, body = wait_status(w.http_port, "/readyz", 503, 60,
                                   "worker /readyz 503 with PostgreSQL down")
            log("  /readyz 503 after %.1fs: %s"
                % (time.monotonic() - t0, body.strip()))
            assert "postgres" in body.lower(), body
            eq(w.metrics()["extractd_db_up"], 0, "db_up gauge while down")
            eq(w.metrics()["extractd_ready"], 0, "ready gauge while down")
            # Articles arriving during the outage wait in the spool.
            for a in during:
                drop(s.spool, a.name, a.body)
            wait_for(lambda: ing.metrics().get(RECEIVED, 0) ==
                     len(before) + len(during), timeout=60,
                     what="ingestd received the outage's articles")
            # Several seconds of outage: alive, healthy, still not ready.
            for _ in range(6):
                time.sleep(0.5)
                assert w.alive(), "extractd exited:\n" + w.log()[-3000:]
                eq(http_get(w.http_port, "/healthz")[0], 200,
                   "worker /healthz during the outage")
                eq(http_get(w.http_port, "/readyz")[0], 503,
                   "worker /readyz during the outage")
            eq(http_get(ing.http_port, "/healthz")[0], 200,
               "ingestd /healthz during the outage")
        finally:
            if not pg.running():
                pg.start()
        t0 = time.monotonic()
        wait_status(w.http_port, "/readyz", 200, 60,
                    "worker /readyz 200 after PostgreSQL came back")
        log("  /readyz 200 again after %.1fs" % (time.monotonic() - t0))
        s.wait_articles(len(before) + len(during), timeout=60)
        eq(s.stored_ids(), {a.id for a in before + during}, "stored ids")
        s.wait_spool_empty()
        eq(w.proc.pid, pid, "same worker process")
        events = []
        for line in w.log().splitlines():
            try:
                events.append(json.loads(line)["event"])
            except (ValueError, KeyError):
                raise AssertionError("not a JSON log event: %r" % line)
        for e in ("db.lost", "db.up"):
            assert e in events, (e, events)
        assert w.alive()
        m = w.metrics()
        assert m["extractd_pg_reconnects_total"] >= 1, m
        eq(m["extractd_db_up"], 1, "db_up gauge after")
        mi = ing.metrics()
        # An outage costs no attempt.
        eq(mi["ingestd_articles_redelivered_total"], 0, "redelivered")
        eq(s.spool_files("failed"), [], "failed/")
        eq(w.stop(), 0, "extractd exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_ingestd_not_ready_while_draining(pg):
    arts = corpus_variants(3, tag="drain")
    with Stack(pg, "drain") as s:
        # The worker sits on its batch for 20 s, so ingestd has leases
        # out when it is told to stop and must wait for the ACKs; the hold
        # is long against a slow machine's reaction to SIGTERM, and
        # ingestd's drain longer still, so the ACKs come in.
        ing = s.ingestd(extra=["--drain-ms", "120000"])
        w = s.extractd(ing, extra=["--batch-ms", "20000",
                                   "--batch-linger-ms", "20000",
                                   "--batch-size", "100"])
        wait_status(ing.http_port, "/readyz", 200, 60, "ingestd ready")
        for a in arts:
            drop(s.spool, a.name, a.body)
        wait_for(lambda: ing.metrics().get("ingestd_leases_in_flight") ==
                 len(arts), timeout=60, what="leases out")
        eq(s.article_count(), 0, "nothing committed yet")
        ing.signal(signal.SIGTERM)
        st, body = wait_status(ing.http_port, "/readyz", 503, 15,
                               "ingestd /readyz 503 while draining")
        assert "drain" in body, body
        eq(http_get(ing.http_port, "/healthz")[0], 200,
           "ingestd /healthz while draining")
        eq(ing.stop(timeout=120), 0, "ingestd exit after the drain")
        eq(s.article_count(), len(arts), "stored during the drain")
        eq(sorted(s.spool_files("done")), sorted(a.name for a in arts),
           "done/ after the drain")
        eq(w.stop(), 0, "extractd exit")


if __name__ == "__main__":
    run_tests(globals())
