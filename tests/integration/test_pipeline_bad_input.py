"""test_pipeline_bad_input.py - what must not stop the daemons: malformed
and unknown messages on ingestd's socket, articles above the size limits,
undecodable bytes, malformed stdin lines, an article that keeps failing
(poison, with its attempts kept across a restart); a file refused at
intake for its size recorded in ingest_errors through a notice to the
workers, which survives a restart of ingestd until a worker ACKs it."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import Stack, corpus_variants, drop, sha256_hex, zsend_path  # noqa: E402,E501


def zsend(endpoint, *actions, timeout=30):
    p = subprocess.run([zsend_path(), endpoint] + [str(a) for a in actions],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, check=False)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_malformed_frames_and_bad_articles(pg):
    good = corpus_variants(20, tag="ok")
    big = b"\xe5\x8d\x8e" * 40000            # 120,000 bytes: ingestd refuses
    mid = ("东西部协作" * 2000).encode("utf-8")  # 30,000 bytes: worker refuses
    junk = bytes((i * 131 + 17) % 256 for i in range(5000)) + b"\xff" * 8
    with Stack(pg, "bad") as s:
        ing = s.ingestd(extra=["--max-article-bytes", "64k"],
                        stdin=subprocess.PIPE)
        w = s.extractd(ing, extra=["--max-article-bytes", "20000"])
        # A raw client: not protobuf, an Envelope with an unknown message
        # type (field 20), another protocol version, an ACK for an id
        # nobody leased, a frame above ingestd's inbound limit.
        zsend(ing.endpoint,
              "raw", "deadbeef00ff",
              "raw", "0801a20100",
              "raw", "080752020805",
              "ack", "0" * 64, "stored",
              "zeros", 70000,
              "sleep", 300)
        wait_for(lambda: ing.metrics()["ingestd_messages_malformed_total"]
                 >= 3, timeout=60, what="malformed messages counted")
        eq(ing.metrics()["ingestd_messages_malformed_total"], 3,
           "malformed count")
        drop(s.spool, "big.txt", big)
        drop(s.spool, "mid.txt", mid)
        drop(s.spool, "junk.bin", junk)
        ing.feed_stdin(b'{"body": "unterminated\n'
                       b'{"uri": "x"}\n'
                       b'{"body_b64": "@@@"}\n'
                       b'[1,2,3]\n')
        for a in good:
            drop(s.spool, a.name, a.body)
        # The stream still flows.
        s.wait_articles(len(good), timeout=60)
        wait_for(lambda: sorted(s.spool_files("failed")) ==
                 ["big.txt", "big.txt.error", "junk.bin", "junk.bin.error",
                  "mid.txt", "mid.txt.error"],
                 timeout=30, what="failed/ holds the three bad articles")
        assert ing.alive() and w.alive(), "a daemon died"
        assert "too big" in read(os.path.join(s.spool, "failed",
                                              "big.txt.error"))
        assert "too large" in read(os.path.join(s.spool, "failed",
                                                "mid.txt.error"))
        # Every refusal is in ingest_errors, ingestd's own (too big at
        # intake) through its notice to a worker.
        wait_for(lambda: s.scalar("SELECT count(*) FROM ingest_errors")
                 == "3", timeout=60, what="three ingest_errors rows")
        errs = dict((r[0], (r[1], r[2])) for r in s.q(
            "SELECT sha256, stage, reason FROM ingest_errors"))
        eq(set(errs), {sha256_hex(mid), sha256_hex(junk), sha256_hex(big)},
           "ingest_errors")
        assert "too large" in errs[sha256_hex(mid)][1], errs
        eq(errs[sha256_hex(big)][0], "intake", "stage of the refusal")
        assert "too big" in errs[sha256_hex(big)][1], errs
        assert errs[sha256_hex(junk)][1], errs
        junk_err = read(os.path.join(s.spool, "failed", "junk.bin.error"))
        assert sha256_hex(junk) in junk_err, junk_err
        m = ing.metrics()
        eq(m["ingestd_stdin_malformed_total"], 4, "malformed stdin lines")
        eq(m["ingestd_articles_too_big_total"], 1, "too big at intake")
        eq(m["ingestd_articles_failed_total"], 3, "moved to failed/")
        # two articles and the notice of the third
        eq(m['ingestd_articles_acked_total{status="rejected"}'], 3,
           "rejected acks")
        eq(w.metrics()['extractd_articles_total{status="rejected"}'], 3,
           "worker rejections")
        eq(ing.stop(), 0, "ingestd exit")
        eq(w.stop(), 0, "worker exit")


def notices(s):
    d = os.path.join(s.spool, "failed")
    return sorted(f for f in os.listdir(d) if f.endswith(".notice"))


def test_too_big_file_recorded_after_an_ingestd_restart(pg):
    """A file above --max-article-bytes is refused at intake (failed/ with
    its .error) and its notice (failed/.NAME.notice) waits for a worker:
    no worker runs, ingestd restarts, and the notice goes out again; the
    worker records it in ingest_errors (stage intake: the whole file's
    SHA-256 and size, its first 64 KiB, the reason) and the marker goes.
    A second file of the same bytes is one row (attempts 2), and a
    restart after that sends nothing."""
    big = bytes(range(256)) * 500                 # 128,000 bytes
    with Stack(pg, "notice") as s:
        ing = s.ingestd(extra=["--max-article-bytes", "64k"])
        drop(s.spool, "big.txt", big)
        wait_for(lambda: notices(s) == [".big.txt.notice"], timeout=60,
                 what="the notice beside failed/big.txt")
        eq(s.spool_files("failed"), ["big.txt", "big.txt.error"], "failed/")
        eq(ing.stop(), 0, "ingestd exit")
        ing = s.ingestd(port=ing.port,
                        extra=["--max-article-bytes", "64k"])
        ing.wait_log(r"notice\.queued")
        w = s.extractd(ing)
        wait_for(lambda: s.scalar("SELECT count(*) FROM ingest_errors")
                 == "1", timeout=60, what="the refusal in ingest_errors")
        row = s.q("SELECT sha256, stage, raw_size, octet_length(raw),"
                  " encode(sha256(raw), 'hex'), attempts, reason"
                  " FROM ingest_errors")[0]
        eq(tuple(row[:6]), (sha256_hex(big), "intake", "128000", "65536",
                            sha256_hex(big[:65536]), "1"), "the row")
        assert "too big: 128000 bytes" in row[6], row
        wait_for(lambda: notices(s) == [], timeout=60,
                 what="the notice settled")
        eq(s.article_count(), 0, "articles")
        # The same bytes under another name: one row per article.
        drop(s.spool, "again.txt", big)
        wait_for(lambda: s.scalar("SELECT attempts FROM ingest_errors")
                 == "2", timeout=60, what="attempts 2")
        wait_for(lambda: notices(s) == [], timeout=60,
                 what="the second notice settled")
        eq(s.scalar("SELECT count(*) FROM ingest_errors"), "1", "rows")
        eq(ing.stop(), 0, "ingestd exit")
        ing = s.ingestd(port=ing.port,
                        extra=["--max-article-bytes", "64k"])
        assert "notice.queued" not in ing.log(), ing.log()[-2000:]
        eq(w.stop(), 0, "worker exit")
        eq(ing.stop(), 0, "ingestd exit")
        eq(s.scalar("SELECT attempts FROM ingest_errors"), "2", "attempts")
        eq(s.spool_files("failed"), ["again.txt", "again.txt.error",
                                     "big.txt", "big.txt.error"],
           "failed/")


def test_poison_after_attempts_survives_restart(pg):
    a = corpus_variants(1, tag="poison")[0]
    with Stack(pg, "poison") as s:
        ing = s.ingestd(extra=["--max-attempts", "3"])
        drop(s.spool, a.name, a.body)

        # zsend plays a worker that fails on everything it gets: one
        # attempt per run (credit back to 0 before the ACK, so nothing
        # is leased when it leaves).
        def fail_once(ep):
            out = zsend(ep, "ready", 1, "recv", 1500, "ready", 0,
                        "ackall", "failed", "sleep", 300)
            return [l.split() for l in out if l.startswith("work ")]

        eq(fail_once(ing.endpoint)[0][1:], [a.id, str(len(a.body)), "1"],
           "first delivery")
        eq(fail_once(ing.endpoint)[0][3], "2", "second attempt")
        eq(ing.stop(), 0, "ingestd exit")
        ing2 = s.ingestd(port=ing.port, extra=["--max-attempts", "3"])
        # The count survived the restart: this is attempt 3, the last.
        eq(fail_once(ing2.endpoint)[0][3], "3", "attempt after restart")
        wait_for(lambda: "%s.error" % a.name in s.spool_files("failed"),
                 timeout=120, what="poison in failed/")
        text = read(os.path.join(s.spool, "failed", a.name + ".error"))
        assert "gave up after 3 attempts" in text, text
        assert "zsend says so" in text, text
        m = ing2.metrics()
        eq(m["ingestd_articles_poison_total"], 1, "poison")
        eq(m["ingestd_articles_failed_total"], 1, "moved to failed/")
        eq(s.spool_files("incoming"), [], "incoming/")
        eq(ing2.stop(), 0, "ingestd exit")


if __name__ == "__main__":
    run_tests(globals())
