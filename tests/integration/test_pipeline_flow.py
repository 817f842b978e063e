"""test_pipeline_flow.py - articles through ingestd and two workers into
PostgreSQL: each stored exactly once, the same figures, pairings and flows
as extractd --json, a file dropped twice is one article, SIGTERM drains
both daemons."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import (Stack, corpus_variants, drop, json_extract,  # noqa: E402
                     json_figures, json_flows, json_pairings, stored_figures,
                     stored_flows, stored_pairings, stdin_line, http_get)

N = 1000


def test_thousand_articles_two_workers(pg):
    arts = corpus_variants(N)
    with Stack(pg, "flow") as s:
        ing = s.ingestd()
        w1 = s.extractd(ing)
        w2 = s.extractd(ing)
        t0 = time.monotonic()
        for a in arts:
            drop(s.spool, a.name, a.body)
        s.wait_articles(N, timeout=180)
        s.wait_spool_empty()
        print("  %d articles in %.1fs" % (N, time.monotonic() - t0))
        eq(s.stored_ids(), {a.id for a in arts}, "stored ids")
        eq(s.duplicates(), [], "ids stored twice")
        eq(len(s.spool_files("done")), N, "files in done/")
        eq(s.spool_files("failed"), [], "files in failed/")
        # Both workers took part (credit is per worker, not first come).
        m1, m2 = w1.metrics(), w2.metrics()
        s1 = m1.get('extractd_articles_total{status="stored"}', 0)
        s2 = m2.get('extractd_articles_total{status="stored"}', 0)
        eq(s1 + s2, N, "stored acks of both workers")
        assert s1 > 0 and s2 > 0, (s1, s2)
        mi = ing.metrics()
        eq(mi['ingestd_articles_received_total{source="spool"}'], N,
           "received")
        eq(mi['ingestd_articles_acked_total{status="stored"}'], N, "acked")
        eq(mi["ingestd_leases_in_flight"], 0, "leases after the stream")
        eq(mi["ingestd_spool_backlog"], 0, "backlog")
        eq(mi["ingestd_workers_connected"], 2, "workers")
        # A sample, compared with the library run directly on the files.
        sample = arts[::97]
        tmp = os.path.join(s.dir, "sample")
        os.makedirs(tmp)
        for a in sample:
            with open(os.path.join(tmp, a.name), "wb") as f:
                f.write(a.body)
        want = json_extract(os.path.join(tmp, a.name) for a in sample)
        eq(len(want), len(sample), "--json results")
        total = 0
        for a in sample:
            got = stored_figures(s, a.id)
            eq(got, json_figures(want[a.name]), "figures of " + a.name)
            eq(stored_pairings(s, a.id), json_pairings(want[a.name]),
               "pairings of " + a.name)
            eq(stored_flows(s, a.id), json_flows(want[a.name]),
               "flows of " + a.name)
            total += len(got)
        fig_rows = int(s.scalar("SELECT count(*) FROM figures"))
        eq(m1["extractd_figures_written_total"] +
           m2["extractd_figures_written_total"], fig_rows,
           "figures metric vs rows")
        print("  sample: %d articles, %d figures compared" % (len(sample),
                                                             total))
        # Health while idle.
        eq(http_get(ing.http_port, "/readyz")[0], 200, "ingestd ready")
        eq(http_get(w1.http_port, "/readyz")[0], 200, "worker ready")
        eq(ing.stop(), 0, "ingestd exit")
        eq(w1.stop(), 0, "worker 1 exit")
        eq(w2.stop(), 0, "worker 2 exit")


def test_same_file_dropped_twice(pg):
    a, b = corpus_variants(2, tag="twice")
    with Stack(pg, "twice") as s:
        # Before ingestd starts (found by the scan) and while it runs
        # (inotify): both ways dedupe.
        drop(s.spool, "first.txt", a.body)
        drop(s.spool, "first-copy.txt", a.body)
        ing = s.ingestd()
        drop(s.spool, "second.txt", b.body)
        drop(s.spool, "second-copy.txt", b.body)
        s.extractd(ing)
        s.wait_articles(2)
        s.wait_spool_empty()
        # Once more, after it was stored: the database says duplicate.
        drop(s.spool, "first-again.txt", a.body)
        wait_for(lambda: ing.metrics().get(
            'ingestd_articles_acked_total{status="duplicate"}', 0) == 1,
            timeout=20, what="duplicate ack")
        eq(s.article_count(), 2, "article rows")
        eq(s.stored_ids(), {a.id, b.id}, "ids")
        mi = ing.metrics()
        eq(mi["ingestd_articles_duplicate_total"], 2,
           "duplicates caught in the queue")
        eq(sorted(s.spool_files("done")),
           sorted(["first.txt", "first-copy.txt", "second.txt",
                   "second-copy.txt", "first-again.txt"]), "done/")


def test_sigterm_drains_both(pg):
    arts = corpus_variants(300, tag="term")
    with Stack(pg, "term") as s:
        ing = s.ingestd(stdin=subprocess.PIPE)
        w = s.extractd(ing, extra=["--inflight", "8", "--batch-size", "4"])
        # Half by files, half on stdin (durable before counted).
        for a in arts[:150]:
            drop(s.spool, a.name, a.body)
        ing.feed_stdin(b"".join(stdin_line(a.body, uri="u:" + a.name,
                                           feed="test")
                                for a in arts[150:]))
        wait_for(lambda: s.article_count() >= 30, timeout=60,
                 what="stream under way")
        w.signal(signal.SIGTERM)
        ing.signal(signal.SIGTERM)
        eq(w.stop(timeout=20), 0, "worker exit code")
        eq(ing.stop(timeout=20), 0, "ingestd exit code")
        assert "worker.stopped" in w.log()
        done_before = s.article_count()
        assert done_before < len(arts), "stream ended before SIGTERM"
        # What was not acked is still in the spool: a restart finishes.
        ing2 = s.ingestd()
        s.extractd(ing2)
        s.wait_articles(len(arts), timeout=120)
        eq(s.stored_ids(), {a.id for a in arts}, "ids after restart")
        s.wait_spool_empty()
        rows = s.q("SELECT uri, feed FROM articles WHERE sha256 = '%s'"
                   % arts[200].id)
        eq(rows, [("u:" + arts[200].name, "test")], "stdin metadata")
        print("  %d stored before SIGTERM, %d after restart"
              % (done_before, len(arts) - done_before))


if __name__ == "__main__":
    run_tests(globals())
