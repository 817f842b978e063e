"""test_pipeline_crash.py - nothing lost and nothing stored twice when a
worker or ingestd is killed with SIGKILL mid-stream, or when PostgreSQL
restarts under the workers."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import Stack, corpus_variants, drop  # noqa: E402


def test_kill9_worker_then_ingestd(pg):
    arts = corpus_variants(600, tag="k9")
    with Stack(pg, "kill9") as s:
        ing = s.ingestd()
        # Small batches and a slow commit cadence, so the victim holds
        # leased, uncommitted articles when it dies.
        w1 = s.extractd(ing, extra=["--batch-size", "50", "--batch-ms",
                                    "400", "--inflight", "64"])
        w2 = s.extractd(ing, extra=["--batch-size", "8"])
        for a in arts[:400]:
            drop(s.spool, a.name, a.body)
        wait_for(lambda: s.article_count() >= 60, timeout=300,
                 what="stream under way")
        w1.kill9()
        before_ing_kill = s.article_count()
        for a in arts[400:]:
            drop(s.spool, a.name, a.body)
        wait_for(lambda: s.article_count() >= before_ing_kill + 40,
                 timeout=300, what="stream goes on without worker 1")
        ing.kill9()
        mid = s.article_count()
        # ingestd comes back on the same port: the worker finds it, sees
        # a new epoch and grants its window again.
        ing2 = s.ingestd(port=ing.port)
        # Conditions, not a log line within seconds: everything stored,
        # and worker 2 heard the new ingestd (as "restarted", or as
        # "first" when the restart took longer than its peer timeout).
        s.wait_articles(len(arts), timeout=300)
        s.wait_spool_empty(timeout=300)
        eq(s.stored_ids(), {a.id for a in arts}, "ids")
        eq(s.duplicates(), [], "ids stored twice")
        eq(s.spool_files("failed"), [], "failed/")
        m = ing2.metrics()
        eq(m["ingestd_articles_poison_total"], 0, "poison")
        eq(m["ingestd_leases_in_flight"], 0, "leases left")
        assert "worker.lost" in ing.log(), "ingestd noticed the dead worker"
        assert len(re.findall(r"peer\.epoch ", w2.log())) >= 2, \
            "worker 2 saw the new epoch"
        print("  stored: %d when worker 1 died, %d when ingestd died, %d "
              "at the end" % (before_ing_kill, mid, len(arts)))
        eq(ing2.stop(), 0, "ingestd exit")
        eq(w2.stop(), 0, "worker exit")


def test_postgres_restart_mid_stream(pg):
    arts = corpus_variants(500, tag="pgr")
    with Stack(pg, "pgrestart") as s:
        ing = s.ingestd()
        w1 = s.extractd(ing, extra=["--batch-size", "8"])
        w2 = s.extractd(ing, extra=["--batch-size", "8"])
        for a in arts:
            drop(s.spool, a.name, a.body)
        wait_for(lambda: s.article_count() >= 50, timeout=60,
                 what="stream under way")
        pg.halt()
        # Down for a while: workers must withdraw credit, keep their
        # leases alive (heartbeats) and not turn articles into poison.
        time.sleep(3)
        m = ing.metrics()
        eq(m["ingestd_articles_poison_total"], 0, "poison while down")
        eq(m['ingestd_articles_acked_total{status="failed"}'], 0,
           "failures while down")
        pg.restart()
        s.wait_articles(len(arts), timeout=120)
        s.wait_spool_empty()
        eq(s.stored_ids(), {a.id for a in arts}, "ids")
        eq(s.spool_files("failed"), [], "failed/")
        m = ing.metrics()
        eq(m["ingestd_articles_poison_total"], 0, "poison")
        eq(m["ingestd_articles_redelivered_total"], 0,
           "attempts counted for a database outage")
        rec = sum(w.metrics()["extractd_pg_reconnects_total"]
                  for w in (w1, w2))
        assert rec >= 1, "no reconnect counted"
        assert "db.lost" in w1.log() + w2.log()
        eq(w1.stop(), 0, "worker 1 exit")
        eq(w2.stop(), 0, "worker 2 exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_worker_stops_during_outage(pg):
    """SIGTERM on a worker while PostgreSQL is down: it cannot commit what
    it holds, so it gives it back untried (RELEASED), not as failures."""
    arts = corpus_variants(300, tag="rel")
    with Stack(pg, "release") as s:
        ing = s.ingestd()
        w = s.extractd(ing, extra=["--batch-size", "16", "--inflight", "32",
                                   "--drain-ms", "1500"])
        for a in arts:
            drop(s.spool, a.name, a.body)
        wait_for(lambda: s.article_count() >= 30, timeout=60,
                 what="stream under way")
        pg.halt()
        w.wait_log(r"db\.lost", timeout=20)
        eq(w.stop(timeout=20), 0, "worker exit")
        assert "worker.drain_timeout" in w.log(), "worker had nothing"
        m = ing.metrics()
        released = m['ingestd_articles_acked_total{status="released"}']
        assert released >= 1, m
        eq(m["ingestd_leases_in_flight"], 0, "leases after release")
        pg.restart()
        s.extractd(ing)
        s.wait_articles(len(arts), timeout=120)
        s.wait_spool_empty()
        eq(s.stored_ids(), {a.id for a in arts}, "ids")
        m = ing.metrics()
        eq(m["ingestd_articles_redelivered_total"], 0, "attempts counted")
        eq(m['ingestd_articles_acked_total{status="failed"}'], 0, "failed")
        print("  %d articles released by the stopping worker" % released)


if __name__ == "__main__":
    run_tests(globals())
