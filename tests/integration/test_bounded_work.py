"""test_bounded_work.py - work per article is bounded: an article with
more rows than --max-rows-per-article is rejected with the counts, and a
batch that fails with statement_timeout is split and retried smaller,
down to the one article that is too slow alone, which is charged an
attempt each time and becomes poison; every other article is stored."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import Stack, corpus_variants, drop  # noqa: E402


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_rows_per_article_limit(pg):
    a = corpus_variants(1, tag="rows")[0]
    with Stack(pg, "rows") as s:
        ing = s.ingestd()
        w = s.extractd(ing, extra=["--max-rows-per-article", "1"])
        drop(s.spool, a.name, a.body)
        wait_for(lambda: "%s.error" % a.name in s.spool_files("failed"),
                 timeout=300, what="rejected into failed/")
        text = read(os.path.join(s.spool, "failed", a.name + ".error"))
        assert "too many rows" in text and "figures" in text, text
        reason = s.scalar("SELECT reason FROM ingest_errors")
        assert "--max-rows-per-article is 1" in reason, reason
        eq(s.article_count(), 0, "not stored")
        eq(w.stop(), 0, "worker exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_timeout_splits_the_batch(pg):
    arts = corpus_variants(12, tag="split")
    slow = arts[5]
    with Stack(pg, "split") as s:
        # One article takes 3 s to insert, whatever the batch: above
        # the worker's statement_timeout of 1 s.
        s.q("CREATE FUNCTION slow_one() RETURNS trigger LANGUAGE plpgsql"
            " AS $$BEGIN IF NEW.sha256 = '%s' THEN PERFORM pg_sleep(3);"
            " END IF; RETURN NEW; END$$;"
            " CREATE TRIGGER slow_one BEFORE INSERT ON articles"
            " FOR EACH ROW EXECUTE FUNCTION slow_one()" % slow.id)
        ing = s.ingestd(extra=["--max-attempts", "2"])
        for a in arts:
            drop(s.spool, a.name, a.body)
        wait_for(lambda: ing.metrics()["ingestd_spool_backlog"] == len(arts),
                 timeout=300, what="all queued")
        # Started after the backlog is there: the first batch holds all.
        w = s.extractd(ing, extra=["--statement-timeout-ms", "1000",
                                   "--batch-size", "16", "--batch-ms",
                                   "5000"])
        s.wait_articles(len(arts) - 1, timeout=300)
        wait_for(lambda: "%s.error" % slow.name in s.spool_files("failed"),
                 timeout=300, what="the slow article poison")
        eq(s.stored_ids(), {a.id for a in arts if a is not slow}, "ids")
        text = read(os.path.join(s.spool, "failed", slow.name + ".error"))
        assert "gave up after 2 attempts" in text, text
        assert "statement_timeout" in text, text
        log = w.log()
        assert "batch.split" in log, log[-3000:]
        assert "article.timeout" in log, log[-3000:]
        s.wait_spool_empty(timeout=300)
        eq(w.stop(), 0, "worker exit")
        eq(ing.stop(), 0, "ingestd exit")


if __name__ == "__main__":
    run_tests(globals())
